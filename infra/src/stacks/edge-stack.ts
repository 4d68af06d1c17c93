import { join } from 'node:path';
import type { Topology } from '@sluice/contracts';
import { Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
import { edgeServicesOf, type FunctionUrlEdge, httpTriggerOf, REPO_ROOT } from '../topology';

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
 * CloudFront with AWS WAF in front of everything public: the HTTP API, and each function URL the
 * topology puts behind the edge (delivery at /v/*). A CloudFront web ACL can only be created in
 * us-east-1, so this stack always deploys there; it finds host names and bucket names through SSM (read
 * across regions with an SDK call when the platform's home region is not us-east-1).
 *
 * An edge function URL with a storedVariantsBucket gets an origin group: the bucket first (origin
 * access control, s3:GetObject on the prefixes the foundation's bucket policy opens), the function URL
 * (origin access control, response streaming) on a 403/404 from it. The topology's viewer-request
 * CloudFront Function maps preset paths to stored keys and reduces Accept to what format=auto reads,
 * and the cache key holds Accept and the query string.
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
    const edgeServices = edgeServicesOf(topology);
    if (httpServices.length === 0 && edgeServices.length === 0) {
      throw new Error('The edge stack needs a service with an HTTP trigger or an edge function URL');
    }

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
    for (const [name, edge] of edgeServices) {
      const behavior = this.edgeFunctionBehavior(name, edge, topology, config, names, imports);
      for (const pattern of edge.pathPatterns) additionalBehaviors[pattern] = behavior;
    }
    for (const [name, http] of httpServices.slice(1)) {
      for (const route of http.routes) {
        const path = route.split(' ')[1] ?? '/';
        additionalBehaviors[path.replace(/\{[^}]+\}.*$/, '*')] = apiBehavior(name);
      }
    }
    // The first HTTP API is the default; without one, the first edge path's behavior is.
    const [firstApi] = httpServices;
    const [firstPattern] = Object.keys(additionalBehaviors);
    const defaultBehavior = firstApi
      ? apiBehavior(firstApi[0])
      : (additionalBehaviors[firstPattern as string] as cloudfront.BehaviorOptions);
    if (!firstApi && firstPattern) delete additionalBehaviors[firstPattern];

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Sluice ${config.stage}: ${[
        ...httpServices.map(([name]) => `${name} API`),
        ...edgeServices.map(([name, edge]) => `${name} ${edge.pathPatterns.join(' ')}`),
      ].join(', ')}`,
      defaultBehavior,
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

  /**
   * The behavior of an edge function URL: its viewer-request function, a cache key of Accept and the
   * query string, GET and HEAD only, and the function URL behind origin access control; with a
   * storedVariantsBucket, that bucket first and the function on a 403/404 (origin group).
   */
  private edgeFunctionBehavior(
    service: string,
    edge: FunctionUrlEdge,
    topology: Topology,
    config: SluiceConfig,
    names: Names,
    imports: SsmImports,
  ): cloudfront.BehaviorOptions {
    const id = pascal(service);
    const spec = topology.services[service];
    const functionUrl = this.homeParameter(`${id}FunctionUrl`, names.functionUrlParam(service), config, () =>
      imports.functionUrl(service),
    );
    const functionOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', functionUrl)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      originAccessControlId: new cloudfront.FunctionUrlOriginAccessControl(this, `${id}FunctionUrlOac`, {
        description: `Sluice ${config.stage}: CloudFront signs requests to the ${service} function URL`,
      }).originAccessControlId,
      // A response stream must start within the function's own time limit (CloudFront's quota: 60 s).
      readTimeout: Duration.seconds(Math.min(60, spec?.timeoutSeconds ?? 30)),
    });
    let origin: cloudfront.IOrigin = functionOrigin;
    if (edge.storedVariantsBucket) {
      const bucketName = this.homeParameter(
        `${pascal(edge.storedVariantsBucket)}BucketName`,
        names.bucketNameParam(edge.storedVariantsBucket),
        config,
        () => imports.bucketName(edge.storedVariantsBucket as string),
      );
      const bucket = s3.Bucket.fromBucketAttributes(this, `${pascal(edge.storedVariantsBucket)}Bucket`, {
        bucketName,
        region: config.region,
      });
      // The bucket's policy (foundation stack) grants the reads: nothing to add to an imported bucket here.
      const bucketOrigin = origins.S3BucketOrigin.withBucketDefaults(bucket, {
        originAccessControlId: new cloudfront.S3OriginAccessControl(this, `${id}StoredVariantsOac`, {
          description: `Sluice ${config.stage}: CloudFront reads stored ${service} variants`,
          signing: cloudfront.Signing.SIGV4_ALWAYS,
        }).originAccessControlId,
      });
      // A key that is not stored answers 403 (CloudFront may not list the bucket): render it.
      origin = new origins.OriginGroup({
        primaryOrigin: bucketOrigin,
        fallbackOrigin: functionOrigin,
        fallbackStatusCodes: [403, 404],
      });
    }
    const viewerRequest = edge.viewerRequestFunction
      ? new cloudfront.Function(this, `${id}ViewerRequest`, {
          functionName: `sluice-${config.stage}-${service}-viewer-request`,
          comment: `Sluice ${config.stage} ${service}: ${edge.viewerRequestFunction}`,
          code: cloudfront.FunctionCode.fromFile({ filePath: join(REPO_ROOT, edge.viewerRequestFunction) }),
          runtime: cloudfront.FunctionRuntime.JS_2_0,
        })
      : undefined;
    return {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      // Origin groups fail over for GET, HEAD and OPTIONS only; delivery answers GET and HEAD.
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: new cloudfront.CachePolicy(this, `${id}CachePolicy`, {
        cachePolicyName: `sluice-${config.stage}-${service}`,
        comment: `Sluice ${config.stage} ${service}: format=auto varies on Accept (as the viewer function reduced it); transforms on the query`,
        headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Accept'),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        // The origins' Cache-Control decides within these bounds.
        minTtl: Duration.seconds(0),
        defaultTtl: Duration.days(1),
        maxTtl: Duration.days(365),
        // Images are compressed already.
        enableAcceptEncodingGzip: false,
        enableAcceptEncodingBrotli: false,
      }),
      compress: false,
      functionAssociations: viewerRequest
        ? [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }]
        : undefined,
    };
  }

  private httpApiDomain(service: string, config: SluiceConfig, names: Names, imports: SsmImports): string {
    return this.homeParameter(
      `${pascal(service)}HttpApiDomain`,
      names.httpApiDomainParam(service),
      config,
      () => imports.httpApiDomain(service),
    );
  }

  /**
   * A value another stack published in SSM in the home region: an SSM-typed parameter when this stack
   * deploys there too, else read across regions when this stack is created.
   */
  private homeParameter(
    id: string,
    parameterName: string,
    config: SluiceConfig,
    local: () => string,
  ): string {
    if (config.region === this.region) return local();
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: parameterName },
      region: config.region,
      physicalResourceId: cr.PhysicalResourceId.of(`${parameterName}@${config.region}`),
    };
    const reader = new cr.AwsCustomResource(this, id, {
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
