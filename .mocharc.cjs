// Tests run on tsc output (decorator metadata emitted exactly as in production).
module.exports = {
  require: ['reflect-metadata'],
  spec: ['packages/*/dist-test/**/*.spec.js', 'examples/*/dist-test/**/*.spec.js'],
  timeout: 30000,
  exit: true,
};
