#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The `s3-active-storage` command: `serve` runs the server, `demo` runs it beside an embedded sample S3 store,
 * `reduce` is a client that sends one request to a running server.
 */
import { parseArgs } from 'node:util';
import { runReduce } from './client/reduce.js';
import { ConfigError, configHelp, loadConfig, SETTINGS } from './config.js';
import { runDemo } from './demo/run.js';
import { closeOnSignals, listenProblem, startServer } from './main.js';

const USAGE = `usage: s3-active-storage <command> [options]

commands:
  serve     run the server (default 127.0.0.1:8000)
  demo      run the server on 127.0.0.1:8000 beside an embedded S3-compatible sample store on 127.0.0.1:9000
            (keys minioadmin / minioadmin) and print example requests
  reduce    send one reduction to a running server and print the result
            (s3-active-storage reduce --help for its options)

server options (each also read from its environment variable):
${configHelp()}

demo options:
  --store-port                   port of the embedded sample store (default 9000)

  -h, --help                     show this help
`;

function fail(message: string): never {
  process.stderr.write(`s3-active-storage: ${message}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  // The client has its own flags; it only needs what the environment says about credentials.
  if (argv[0] === 'reduce') {
    const write = (stream: NodeJS.WriteStream) => (text: string) => stream.write(text);
    process.exitCode = await runReduce(argv.slice(1), {
      env: process.env,
      stdout: write(process.stdout),
      stderr: write(process.stderr),
    });
    return;
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of Object.values(SETTINGS)) options[s.flag] = { type: 'string' };
  options['store-port'] = { type: 'string' };

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (rest.length > 0) fail(`unexpected argument ${JSON.stringify(rest[0])}`);
  const flags = parsed.values as Record<string, string | undefined>;

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  if (command === 'serve') {
    try {
      const server = await startServer(config);
      process.stderr.write(`s3-active-storage listening on ${server.url}\n`);
      closeOnSignals(config.shutdownTimeoutMs, [server.close]);
    } catch (err) {
      fail(listenProblem(err, config.host, config.port, 'server') ?? String(err));
    }
    return;
  }
  if (command === 'demo') {
    const storePort = Number(flags['store-port'] ?? '9000');
    if (!Number.isInteger(storePort) || storePort < 0 || storePort > 65535)
      fail('--store-port must be 0-65535');
    await runDemo(config, storePort, fail);
    return;
  }
  fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`s3-active-storage: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
