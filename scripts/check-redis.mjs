// `npm test` runs this first: the distributed and multi-process tests need a Redis server, and
// without one they fail with assertions that do not say why. One PING, two seconds at most.
import { connect } from 'node:net';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 6379);
const where = `${host}:${port}`;

function fail(reason) {
  process.stderr.write(
    [
      `npm test needs Redis at ${where} (${reason}).`,
      'The distributed and multi-process tests share tokens through it.',
      'Start one, for example:',
      '  redis-server --daemonize yes --save "" --appendonly no',
      '  (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)',
      '  or: docker run --rm -d -p 6379:6379 redis:7',
      'or point the tests at another one with REDIS_URL=redis://host:port.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const socket = connect({ host, port });
socket.setTimeout(2_000, () => {
  socket.destroy();
  fail('no answer within 2 s');
});
socket.once('error', (error) => fail(error.code ?? error.message));
socket.once('connect', () => socket.write('PING\r\n'));
socket.once('data', (chunk) => {
  socket.destroy();
  // "+PONG", or "-NOAUTH ..." from a server with a password: either way Redis is there.
  const reply = chunk.toString('latin1');
  if (reply.startsWith('+') || reply.startsWith('-')) process.exit(0);
  fail(`something else answers there: ${JSON.stringify(reply.slice(0, 40))}`);
});
