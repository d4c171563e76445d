import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, configHelp, describeConfig, loadConfig, SETTINGS } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies defaults: loopback on the seed port', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.deepEqual(c.fileRoots, []);
    assert.ok(Object.isFrozen(c));
  });

  it('prefers flags over environment over defaults', () => {
    assert.equal(loadConfig({ S3AS_PORT: '9100' }).port, 9100);
    assert.equal(loadConfig({ S3AS_PORT: '9100' }, { port: '9200' }).port, 9200);
    assert.deepEqual(loadConfig({ S3AS_FILE_ROOTS: '/a, /b,' }).fileRoots, ['/a', '/b']);
  });

  it('lists every problem at once, naming flag and variable', () => {
    try {
      loadConfig(
        { S3AS_PORT: '70000', S3AS_LOG_LEVEL: 'loud', S3AS_TLS_CERT_FILE: '/x.pem' },
        { 'connect-timeout-ms': '0' },
      );
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4, err.message);
      assert.match(err.message, /--port \/ S3AS_PORT/);
      assert.match(err.message, /--log-level \/ S3AS_LOG_LEVEL/);
      assert.match(err.message, /--connect-timeout-ms/);
      assert.match(err.message, /tls-key-file/);
    }
  });

  it('rejects a malformed allow-list entry', () => {
    assert.throws(() => loadConfig({ S3AS_ALLOW_UPSTREAMS: 'not a url or cidr' }), /S3AS_ALLOW_UPSTREAMS/);
  });

  it('never shows the TLS key path value in the described config', () => {
    const c = loadConfig({ S3AS_TLS_CERT_FILE: '/c.pem', S3AS_TLS_KEY_FILE: '/secret/k.pem' });
    assert.equal(describeConfig(c).tlsKeyFile, '(set)');
  });

  it('documents every setting in --help', () => {
    const help = configHelp();
    for (const s of Object.values(SETTINGS)) {
      assert.ok(help.includes(`--${s.flag}`) && help.includes(s.env), s.flag);
    }
  });
});
