/**
 * Jest on Node < 24.9 cannot require() an ES module, which Node itself has done since 20.19:
 * the Agents SDK's key-set client (jwks-rsa, CommonJS) requires `jose`, which ships ESM only.
 * Such a file, when it is required, is compiled to CommonJS here; imported as ESM it stays as it is.
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(sourceText, sourcePath, options) {
    if (options.supportsStaticESM) return { code: sourceText };
    const { code, map } = transformSync(sourceText, {
      format: 'cjs',
      target: 'node20',
      loader: 'js',
      sourcefile: sourcePath,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
