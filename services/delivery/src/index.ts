// @sluice/delivery's public API: building preset URLs and signing ad-hoc ones, for the services
// and clients that hand them out. Importing it reads no configuration and loads no sharp.

export { negotiateFormat, type OutputFormat, type RequestedFormat } from './domain/formats';
export { FITS, type Fit } from './domain/request';
export { KeyringError, parseKeyring, type SigningKeyring, verifySignature } from './domain/signature';
export { type AdHocTransform, presetUrl, signedTransformUrl } from './domain/urls';
