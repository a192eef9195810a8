// JS/TS front-end cases: each marker names the rule that must (expect) or must not (ok) fire.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { generateText } from "ai";
import { openai } from "@ai-sdk/openai";

const client = new OpenAI({ timeout: 20_000 });
const bare = new OpenAI();
const claude = new Anthropic({ timeout: 30_000, maxRetries: 0 });
const MODEL = "gpt-4o-mini";

export async function POST(req: Request) {
  const { q } = await req.json();
  return client.chat.completions.create({ model: MODEL, max_tokens: 200, messages: [{ role: "system", content: `Now: ${new Date().toISOString()}. You are helpful.` }, { role: "user", content: q }] }); // expect: LLM001
}

async function staticFirst(q: string) {
  return client.chat.completions.create({ model: MODEL, max_tokens: 200, messages: [{ role: "system", content: "You are helpful and brief. Answer in English only." }, { role: "user", content: q }] }); // ok: LLM001 ok: LLM002 ok: LLM004
}

async function noCap(q: string) {
  return bare.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: q }] }); // expect: LLM002 expect: LLM004
}

async function spreadOptions(q: string, extra: object) {
  return client.chat.completions.create({ model: MODEL, ...extra, messages: [{ role: "user", content: q }] }); // ok: LLM002
}

async function labelAll(items: string[]) {
  const out = [];
  for (const it of items) {
    out.push(await claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: it }] })); // expect: LLM003 expect: LLM008 ok: LLM004
  }
  return out;
}

async function concurrent(items: string[]) {
  return Promise.all(items.map(async (it) => generateText({ model: openai("gpt-4o-mini"), prompt: it, maxOutputTokens: 50, abortSignal: AbortSignal.timeout(10_000) }))); // ok: LLM003 ok: LLM002 ok: LLM004
}

async function vercelNoSignal(q: string) {
  return generateText({ model: openai("gpt-4o-mini"), prompt: q, maxOutputTokens: 50 }); // expect: LLM004
}

async function raw(q: string) {
  return fetch("https://api.openai.com/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: q }] }) }); // expect: LLM004 expect: LLM008
}

async function rawTimeout(q: string) {
  return fetch("https://api.openai.com/v1/chat/completions", { method: "POST", signal: AbortSignal.timeout(10_000), body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: q }] }) }); // ok: LLM004
}

export class Summarizer {
  private timed = new OpenAI({ timeout: 10_000 });
  private untimed = new OpenAI();

  async run(text: string) {
    return this.timed.chat.completions.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: text }] }); // ok: LLM004
  }

  async runBare(text: string) {
    return this.untimed.chat.completions.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: text }] }); // expect: LLM004
  }
}

export async function summarizeToDb(db: { insert: (t: string) => Promise<void> }, doc: string) {
  const stream = await client.chat.completions.create({ model: MODEL, max_tokens: 500, stream: true, messages: [{ role: "user", content: doc }] }); // expect: LLM006
  let text = "";
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  await db.insert(text);
}

export async function streamToResponse(res: { write: (t: string) => void }, doc: string) {
  const stream = await client.chat.completions.create({ model: MODEL, max_tokens: 500, stream: true, messages: [{ role: "user", content: doc }] }); // ok: LLM006
  for await (const chunk of stream) {
    res.write(chunk.choices[0]?.delta?.content ?? "");
  }
}

export async function joinedAndReturned(doc: string) {
  const stream = await client.chat.completions.create({ model: MODEL, max_tokens: 500, stream: true, messages: [{ role: "user", content: doc }] }); // ok: LLM006
  const parts: string[] = [];
  for await (const chunk of stream) {
    parts.push(chunk.choices[0]?.delta?.content ?? "");
  }
  return parts.join("");
}
