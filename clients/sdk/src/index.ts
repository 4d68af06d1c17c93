export {
  assetIdFromKey,
  type MultipartUpload,
  type SearchHit,
  type SearchPage,
  type SearchQuery,
  SluiceClient,
  type SluiceClientOptions,
  toSearchPage,
  type UploadedPart,
} from './api-client';
export {
  type AssetState,
  type AssetView,
  assetState,
  isSettled,
  pickRendition,
  type Rejection,
  type RenditionView,
  STAGES,
  type StageName,
  toAssetView,
} from './asset-view';
export { SluiceApiError, type SluiceErrorKind } from './errors';
