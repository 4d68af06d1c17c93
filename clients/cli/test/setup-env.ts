// Tests run on Node 20, where the AWS SDK prints a Node-22 notice once per process: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
