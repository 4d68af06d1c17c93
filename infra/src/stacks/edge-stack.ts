import type { Topology } from '@sluice/contracts';
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { SluiceConfig } from '../config';
import { SsmImports } from '../constructs/ssm-imports';
import { acknowledgeCdkProvidedFunction } from '../nag';
import { type Names, pascal } from '../naming';
import { httpTriggerOf } from '../topology';

export interface EdgeStackProps extends StackProps {
  config: SluiceConfig;
  names: Names;
  topology: Topology;
}

/** The managed rule groups in front of everything public, in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * CloudFront with AWS WAF in front of the public HTTP API. A CloudFront web ACL can only be created in
 * us-east-1, so this stack always deploys there; it finds each HTTP API's host name through SSM (read
 * across regions with an SDK call when the platform's home region is not us-east-1).
 *
 * The delivery path (CloudFront -> stored variants in the processed bucket, falling back to the
 * delivery Function URL) joins this distribution when services/delivery exists; until then there is no
 * behavior for it, so nothing in the processed bucket is reachable from the internet.
 */
export class EdgeStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config, names, topology } = props;
    const httpServices = Object.entries(topology.services).flatMap(([name, s]) => {
      const http = httpTriggerOf(s.trigger);
      return http ? [[name, http] as const] : [];
    });
    const [first] = httpServices;
    if (!first) throw new Error('The edge stack needs a service with an HTTP trigger');

    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `sluice-${config.stage}-${name}`,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `sluice-${config.stage}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metric('edge'),
      rules: [
        ...MANAGED_RULE_GROUPS.map((name, priority) => ({
          name,
          priority,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              // The common rule set blocks bodies over 8 KB; webhook deliveries (up to WEBHOOK_MAX_BYTES)
              // and multipart completions with many parts are larger, and the API bounds sizes itself.
              ruleActionOverrides:
                name === 'AWSManagedRulesCommonRuleSet'
                  ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]
                  : undefined,
            },
          },
          visibilityConfig: metric(name),
        })),
        {
          name: 'RateLimitPerIp',
          priority: MANAGED_RULE_GROUPS.length,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: config.wafRateLimitPer5Minutes, aggregateKeyType: 'IP' },
          },
          visibilityConfig: metric('rate-limit'),
        },
      ],
    });

    const logs = new s3.Bucket(this, 'EdgeLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // CloudFront standard logging writes with ACLs, so the bucket cannot enforce bucket-owner ownership.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-edge-logs', expiration: Duration.days(config.accessLogDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the CloudFront access logs; logging it into itself would loop.',
    });

    const imports = new SsmImports(this, names);
    const apiOrigin = (service: string) =>
      new origins.HttpOrigin(this.httpApiDomain(service, config, names, imports), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      });
    const apiBehavior = (service: string): cloudfront.BehaviorOptions => ({
      origin: apiOrigin(service),
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      // Per-tenant, authenticated answers: never cached; every viewer header but Host goes to the API.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    for (const [name, http] of httpServices.slice(1)) {
      for (const route of http.routes) {
        const path = route.split(' ')[1] ?? '/';
        additionalBehaviors[path.replace(/\{[^}]+\}.*$/, '*')] = apiBehavior(name);
      }
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Sluice ${config.stage}: API (and delivery, once it exists)`,
      defaultBehavior: apiBehavior(first[0]),
      additionalBehaviors,
      webAclId: this.webAcl.attrArn,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: config.edgeDomainName ? [config.edgeDomainName] : undefined,
      certificate: config.edgeCertificateArn
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.edgeCertificateArn)
        : undefined,
      // Only a custom certificate can raise the viewer TLS floor (the default one is fixed at TLSv1).
      minimumProtocolVersion: config.edgeCertificateArn
        ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
        : undefined,
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Sluice serves tenants wherever they are; no geo restriction. Add one per deployment if a policy requires it.',
    });
    if (!config.edgeCertificateArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS floor cannot be raised; set edgeDomainName and edgeCertificateArn to get TLSv1.2_2021.',
      });
    }
  }

  private httpApiDomain(service: string, config: SluiceConfig, names: Names, imports: SsmImports): string {
    if (config.region === this.region) return imports.httpApiDomain(service);
    const parameterName = names.httpApiDomainParam(service);
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: parameterName },
      region: config.region,
      physicalResourceId: cr.PhysicalResourceId.of(`${parameterName}@${config.region}`),
    };
    const reader = new cr.AwsCustomResource(this, `${pascal(service)}HttpApiDomain`, {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
        resources: [`arn:${this.partition}:ssm:${config.region}:${this.account}:parameter${parameterName}`],
      }),
      installLatestAwsSdk: false,
    });
    // The singleton function behind every AwsCustomResource: AWS + the provider UUID without dashes.
    const providerId = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
    const provider = this.node.tryFindChild(providerId);
    if (provider) {
      acknowledgeCdkProvidedFunction(provider, 'cross-region SSM read', [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-L1',
        'Serverless-LambdaLatestVersion',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaDefaultMemorySize',
        'Serverless-LambdaTracing',
      ]);
    }
    return reader.getResponseField('Parameter.Value');
  }
}
