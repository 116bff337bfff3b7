// The official `openai` npm client against the real hrm-serve binary (registered in CTest as
// serve.openai_node_client): the model list, a chat completion, a streamed completion, and OpenAI errors
// (a bad request, a bad key, bad tools), and a tool call, whole and streamed, fed back as a tool turn.
// HRM_BINARY_DIR points at the build; HRM_SERVE_FIXTURE at the binary that writes the fixture checkpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

const KEY = 'node-test-key';
let dir;
let server;
let client;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base) {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch {}
    if (server.exitCode !== null) throw new Error(`hrm-serve exited with ${server.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('hrm-serve did not come up');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hrm-serve-node-'));
  const ckpt = join(dir, 'tiny');
  execFileSync(process.env.HRM_SERVE_FIXTURE, [ckpt, '512'], { stdio: 'inherit' });
  const port = await freePort();
  const log = openSync(join(dir, 'server.log'), 'w');
  server = spawn(`${process.env.HRM_BINARY_DIR}/bin/hrm-serve`,
    ['--model', ckpt, '--port', String(port), '--api-key', KEY, '--threads', '1'],
    { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base);
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, 'hrm-serve exits cleanly on SIGTERM');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the model list names the checkpoint', async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ['tiny']);
});

test('chat completion', async () => {
  const r = await client.chat.completions.create({
    model: 'tiny',
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }],
    max_tokens: 12,
    temperature: 0,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streamed completion equals the whole one', async () => {
  const request = { model: 'tiny', prompt: 'def add(a, b):\n', max_tokens: 16, temperature: 0 };
  const whole = await client.completions.create(request);
  const stream = await client.completions.create({ ...request, stream: true });
  let text = '';
  let finish = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.text ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.ok(chunks >= 2, 'the reply came in pieces');
  assert.equal(text, whole.choices[0].text);
  assert.equal(finish, whole.choices[0].finish_reason);
});

const TOOLS = [
  { type: 'function', function: { name: 'get_time', description: 'The current time' } },
  {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
];

// The fixture model is random-init: a function without parameters, named in tool_choice, is the one
// call whose every token the server can force (docs/serve.md), so the reply is a real parsed call.
test('tool call', async () => {
  const messages = [{ role: 'user', content: 'What time is it?' }];
  const request = {
    model: 'tiny', messages, tools: TOOLS, temperature: 0, max_tokens: 64,
    tool_choice: { type: 'function', function: { name: 'get_time' } },
  };
  const r = await client.chat.completions.create(request);
  const choice = r.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.match(call.id, /^call_/);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_time');
  assert.deepEqual(JSON.parse(call.function.arguments), {});

  // Streamed, the call arrives as tool_calls deltas the client's stream helper assembles.
  const stream = client.chat.completions.stream(request);
  const streamed = await stream.finalChatCompletion();
  assert.equal(streamed.choices[0].finish_reason, 'tool_calls');
  assert.equal(streamed.choices[0].message.tool_calls[0].function.name, 'get_time');
  assert.equal(streamed.choices[0].message.tool_calls[0].function.arguments, '{}');

  // The call and its result go back as assistant and tool turns.
  const next = await client.chat.completions.create({
    model: 'tiny', tools: TOOLS, tool_choice: 'auto', temperature: 0, max_tokens: 8,
    messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: '12:00' }],
  });
  assert.equal(next.object, 'chat.completion');
  assert.ok(['stop', 'length', 'tool_calls'].includes(next.choices[0].finish_reason));
});

test('errors come back as OpenAI errors', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'tiny', messages: [], max_tokens: 4 }),
    (e) => e.status === 400 && e.error?.param === 'messages');
  await assert.rejects(
    client.chat.completions.create({
      model: 'tiny', messages: [{ role: 'user', content: 'hi' }],
      tools: [TOOLS[0], { type: 'function', function: { description: 'no name' } }],
    }),
    (e) => e.status === 400 && e.error?.param === 'tools[1].function.name');
  const anonymous = new OpenAI({ baseURL: client.baseURL, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(anonymous.models.list(), (e) => e.status === 401);
});
