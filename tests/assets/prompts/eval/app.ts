// Eval: a Next.js-style TypeScript service (openai, @anthropic-ai/sdk, Vercel AI SDK, fetch).
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { generateObject, generateText, streamText } from "ai";
import { openai } from "@ai-sdk/openai";
import { z } from "zod";

const client = new OpenAI({ timeout: 15_000, maxRetries: 3 });
const anthropic = new Anthropic();
const SYSTEM = "You are a helpful shopping assistant for Acme. Recommend at most three products.";

export async function POST(req: Request) {
  const { question } = await req.json();
  const result = streamText({ model: openai("gpt-4o-mini"), system: SYSTEM, prompt: question, maxOutputTokens: 500, abortSignal: AbortSignal.timeout(30_000) }); // labels: -
  return result.toTextStreamResponse();
}

export async function summarize(text: string) {
  const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "system", content: SYSTEM }, { role: "user", content: text }] }); // labels: LLM002
  return r.choices[0].message.content;
}

export async function classify(text: string) {
  const { object } = await generateObject({ model: openai("gpt-4o"), schema: z.object({ label: z.enum(["bug", "feature", "question"]) }), prompt: `Classify this issue: ${text}`, maxOutputTokens: 20 }); // labels: LLM004 LLM005
  return object.label;
}

export async function labelEach(items: string[]) {
  const out: string[] = [];
  for (const item of items) {
    const r = await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: item }] }); // labels: LLM003 LLM004
    out.push(String(r.id));
  }
  return out;
}

export async function labelAll(items: string[]) {
  return Promise.all(items.map((item) => client.chat.completions.create({ model: "gpt-4o-mini", max_tokens: 20, messages: [{ role: "user", content: item }] }))); // labels: -
}

export async function answer(question: string) {
  const { text } = await generateText({ model: openai("gpt-4o-mini"), prompt: `${question}\n\nAnswer as a friendly shopping assistant for Acme. Recommend at most three products.`, maxOutputTokens: 300, abortSignal: AbortSignal.timeout(20_000) }); // labels: LLM001
  return text;
}

export async function raw(text: string) {
  const res = await fetch("https://api.anthropic.com/v1/messages", { method: "POST", signal: AbortSignal.timeout(20_000), body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user", content: text }] }) }); // labels: LLM008
  return res.json();
}
