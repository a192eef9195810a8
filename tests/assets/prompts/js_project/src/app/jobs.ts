// LangChain.js runnables derived from a chat model, and batch jobs.
import { llm, cheap } from "./../lib/openai";

export async function summarize(t: string) {
  return llm.withStructuredOutput({ type: "object" }).invoke(`Summarize: ${t}`); // ok: LLM001 expect: LLM002
}

export async function labelAll(items: string[]) {
  const out = [];
  for (const it of items) {
    out.push(await cheap.invoke(`Label: ${it}`)); // expect: LLM003
  }
  return cheap.batch(items); // ok: LLM003 ok: LLM004
}
