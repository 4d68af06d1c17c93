// The CDK app's entry point (cdk.json runs it with tsx; `npm run synth` runs it directly).
import { App } from 'aws-cdk-lib';
import { buildSluice } from './app';

// Under the CDK CLI, CDK_OUTDIR says where to write; run directly, the templates go to infra/cdk.out.
const app = new App(process.env.CDK_OUTDIR ? {} : { outdir: 'cdk.out' });
buildSluice(app);
const assembly = app.synth();
if (!process.env.CDK_OUTDIR) {
  for (const stack of assembly.stacks) console.log(`${stack.stackName}\t${stack.templateFullPath}`);
}
