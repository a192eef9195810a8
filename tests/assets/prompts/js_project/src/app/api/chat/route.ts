// Clients imported from lib/openai.ts: each marker says what must (expect) or must not (ok) fire.
import { openai, safeOpenai, llm, cheap, api, timedApi } from "@/lib/openai";
import client from "../../../lib/openai";

export async function POST(req: Request) {
  const { q } = await req.json();
  const a = await openai.chat.completions.create({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: q }] }); // expect: LLM004
  const b = await safeOpenai.chat.completions.create({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: q }] }); // ok: LLM004
  const c = await llm.invoke([["system", "You are terse."], ["human", q]]); // expect: LLM002 expect: LLM004
  const c2 = await cheap.invoke(q, { timeout: 10_000 }); // ok: LLM002 ok: LLM004
  const d = await api.post("/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: q }] }); // expect: LLM002 expect: LLM004 expect: LLM008
  const d2 = await timedApi.post("/chat/completions", { model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: q }] }); // ok: LLM002 ok: LLM004
  const e = await client.chat.completions.create({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: q }] }); // ok: LLM004
  return Response.json({ a, b, c, c2, d, d2, e });
}
