// Quiet Powertools logs and the AWS SDK's Node-22 notice in unit tests.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
