import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements for the Lambda functions CDK itself writes for custom resources (bucket
 * notifications, cross-region SSM reads). Their code, runtime and role are CDK's; they run only while
 * CloudFormation deploys. `what` names the function in each reason.
 */
export function acknowledgeCdkProvidedFunction(construct: IConstruct, what: string): void {
  const reasons: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': `CDK-provided ${what} handler; the managed policy only lets it write its own logs.`,
    'AwsSolutions-IAM5[Resource::*]': `CDK-provided ${what} handler: its action has to be granted before the resource names exist (bucket notifications); it runs only during deployments.`,
    'AwsSolutions-L1': `CDK-provided ${what} handler; CDK picks and upgrades its runtime.`,
    'Serverless-LambdaLatestVersion': `CDK-provided ${what} handler; CDK picks and upgrades its runtime.`,
    'Serverless-LambdaDLQ': `CloudFormation invokes the ${what} handler and fails the deployment on error; no DLQ applies.`,
    'Serverless-LambdaAsyncFailureDestination': `CloudFormation invokes the ${what} handler and fails the deployment on error.`,
    'Serverless-LambdaDefaultMemorySize': `CDK-provided ${what} handler; its memory is CDK's choice.`,
    'Serverless-LambdaTracing': `CDK-provided ${what} handler, run only during deployments; nothing to trace.`,
  };
  for (const [id, reason] of Object.entries(reasons)) Validations.of(construct).acknowledge({ id, reason });
}
