import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const REASONS = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    (w: string) => `CDK-provided ${w} handler; the managed policy only lets it write its own logs.`,
  'AwsSolutions-L1': (w: string) => `CDK-provided ${w} handler; CDK picks and upgrades its runtime.`,
  'Serverless-LambdaLatestVersion': (w: string) =>
    `CDK-provided ${w} handler; CDK picks and upgrades its runtime.`,
  'Serverless-LambdaDLQ': (w: string) =>
    `CloudFormation invokes the ${w} handler and fails the deployment on error; no DLQ applies.`,
  'Serverless-LambdaDefaultMemorySize': (w: string) =>
    `CDK-provided ${w} handler; its memory is CDK's choice.`,
  'Serverless-LambdaTracing': (w: string) =>
    `CDK-provided ${w} handler, run only during deployments; nothing to trace.`,
} as const;

/**
 * cdk-nag acknowledgements for the Lambda functions CDK itself writes for custom resources (bucket
 * notifications, cross-region SSM reads). Their code, runtime and role are CDK's; they run only while
 * CloudFormation deploys. `what` names the function in each reason.
 */
export function acknowledgeCdkProvidedFunction(
  construct: IConstruct,
  what: string,
  ids: (keyof typeof REASONS)[],
): void {
  for (const id of ids) Validations.of(construct).acknowledge({ id, reason: REASONS[id](what) });
}
