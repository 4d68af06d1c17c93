import { topology } from '@sluice/contracts';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildSluice } from '../src/app';
import { batchOperationsOf } from '../src/topology';
import { render } from './helpers';

describe('each service stack synthesizes alone', () => {
  it.each(Object.keys(topology.services))('%s', (name) => {
    // An app holding nothing but this service's stack: no foundation, no other service.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { services } = buildSluice(app, { only: [name] });
    const assembly = app.synth(); // with the cdk-nag packs: a finding would throw
    expect(assembly.stacks.map((st) => st.stackName)).toEqual([services[name]?.stackName]);
    const template = Template.fromStack(services[name] as Stack).toJSON();
    expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
    // Everything it needs from the foundation is an SSM-typed parameter with a /sluice/dev/ default.
    const ssm = Object.values(
      template.Parameters as Record<string, { Type: string; Default: string }>,
    ).filter(
      (p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && !p.Default.startsWith('/cdk-bootstrap/'),
    );
    expect(ssm.length).toBeGreaterThan(0);
    for (const p of ssm) expect(p.Default).toMatch(/^\/sluice\/dev\//);
    // And its function's environment reads nothing but those parameters and literal values.
    const fn = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, never> }>,
    ).find((r) => r.Type === 'AWS::Lambda::Function');
    const env = fn?.Properties.Environment as unknown as { Variables: Record<string, unknown> };
    const vars = Object.values(env.Variables);
    // (queue URLs are built from deterministic names and pseudo parameters, not read from another stack)
    for (const v of vars) expect(render(v)).toMatch(/^(<[A-Za-z]+>|([^<]|<AWS::[A-Za-z]+>)*)$/);
  });
});

describe('each S3 Batch Operations stack synthesizes alone', () => {
  const batch = Object.keys(batchOperationsOf(topology));
  it.each(batch.length > 0 ? batch : ['(none in the topology)'])('%s', (name) => {
    if (!batchOperationsOf(topology)[name]) return;
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { batchOperations } = buildSluice(app, { only: [name] });
    const assembly = app.synth();
    expect(assembly.stacks.map((st) => st.stackName)).toEqual([batchOperations[name]?.stackName]);
    expect(JSON.stringify(Template.fromStack(batchOperations[name] as Stack).toJSON())).not.toContain(
      'Fn::ImportValue',
    );
  });
});

describe('cdk-nag is wired into synthesis', () => {
  it('an unacknowledged finding fails the synth', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildSluice(app, { only: ['dashboard'] });
    const stray = new Stack(app, 'Stray');
    new s3.Bucket(stray, 'Unlogged', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('the packs are the AwsSolutions and Serverless ones', () => {
    // Guard against the registration API changing under us (cdk-nag 3 uses CDK's Validations plugins).
    expect(new AwsSolutionsChecks().name).toMatch(/AwsSolutions/);
    expect(new ServerlessChecks().name).toMatch(/Serverless/);
  });
});
