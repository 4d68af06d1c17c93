import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type BuildOptions, buildSluice, type SluiceStacks } from '../src/app';

export interface Synthesized extends SluiceStacks {
  app: App;
  template(stack: Stack): Template;
}

/**
 * Builds and synthesizes the app. Bundling is skipped unless `bundle` names stacks to bundle: the CDK
 * then stages a placeholder for every other function asset, while every NodejsFunction property (and
 * the entry and lockfile checks) stays real. One test in bundling.test.ts bundles a real function.
 */
export function synth(
  context: Record<string, unknown> = {},
  options: BuildOptions & { bundle?: string[] } = {},
): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': options.bundle ?? [], ...context } });
  const stacks = buildSluice(app, options);
  app.synth(); // runs the cdk-nag packs registered by buildSluice: any finding throws here
  const templates = new Map<Stack, Template>();
  return {
    ...stacks,
    app,
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
  };
}

/** Unacknowledged cdk-nag findings under a scope, as "severity rule path" lines (empty when clean). */
export function nagFindings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`),
      ),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
export type Json = any;

/** Resources of a type, as [logicalId, resource] pairs. */
export function resources(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type));
}

/** Renders a CloudFormation value (Fn::Join of strings and Refs) as text: {"Ref": "X"} becomes <X>. */
export function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

/**
 * Acknowledgements that no finding needed: stale suppressions hide nothing today but would silently
 * hide a future finding. Counts hits through cdk-nag's (private) isAcknowledged, pinned with cdk-nag 3.0.2.
 */
export function unusedAcknowledgements(scope: IConstruct): string[] {
  const proto = NagPack.prototype as unknown as { isAcknowledged(r: IConstruct, id: string): boolean };
  const original = proto.isAcknowledged;
  const used = new Set<string>();
  const acksOf = (c: IConstruct) =>
    c.node.metadata
      .filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((e) => Object.keys(e.data as object).map((k) => k.replace(/^annotation::/i, '')));
  proto.isAcknowledged = function (resource, id) {
    const hit = original.call(this, resource, id);
    for (let c: IConstruct | undefined = resource; hit && c; c = c.node.scope) {
      if (acksOf(c).includes(id)) used.add(`${c.node.path} ${id}`);
    }
    return hit;
  };
  try {
    nagFindings(scope);
  } finally {
    proto.isAcknowledged = original;
  }
  const all: string[] = [];
  const walk = (c: IConstruct) => {
    for (const id of acksOf(c)) all.push(`${c.node.path} ${id}`);
    for (const child of c.node.children) walk(child);
  };
  walk(scope);
  return all.filter((a) => !used.has(a));
}
