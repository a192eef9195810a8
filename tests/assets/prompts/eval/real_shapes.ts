// Eval: TypeScript shapes from real apps (multi-line calls, Express + Next.js routes, LangChain.js,
// axios instances, options objects built before the call). Labelled by hand before running the tool.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import axios from "axios";
import express from "express";
import { ChatOpenAI } from "@langchain/openai";
import { ChatAnthropic } from "@langchain/anthropic";

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, timeout: 60_000 });
const model = new ChatOpenAI({ model: "gpt-4o-mini", temperature: 0, timeout: 20_000 });
const claude = new ChatAnthropic({ model: "claude-3-5-sonnet-20241022", maxTokens: 1024 });
const http = axios.create({ baseURL: "https://api.openai.com/v1", timeout: 30_000 });
const app = express();

app.post("/api/chat", async (req, res) => {
  const { messages } = req.body;
  const completion = await openai.chat.completions.create({ // labels: LLM002 LLM004
    model: "gpt-4o-mini",
    messages,
  });
  res.json(completion.choices[0].message);
});

export async function POST(request: Request) {
  const { prompt } = await request.json();
  const params = {
    model: "claude-3-5-sonnet-20241022",
    max_tokens: 4096,
    system: `Current time: ${new Date().toISOString()}. You are a writing assistant for the marketing team.`,
    messages: [{ role: "user" as const, content: prompt }],
  };
  const msg = await anthropic.messages.create(params); // labels: LLM001 LLM006
  return Response.json({ text: msg.content });
}

export async function tagAll(posts: { id: string; body: string }[]) {
  const tags: Record<string, string> = {};
  for (const post of posts) {
    const r = await anthropic.messages.create({ // labels: LLM003
      model: "claude-3-haiku-20240307",
      max_tokens: 20,
      messages: [{ role: "user", content: `Give one tag for this post:\n${post.body}` }],
    });
    tags[post.id] = String(r.content);
  }
  return tags;
}

export async function tagConcurrently(posts: string[]) {
  return Promise.all(
    posts.map((p) =>
      anthropic.messages.create({ model: "claude-3-haiku-20240307", max_tokens: 20, messages: [{ role: "user", content: p }] }), // labels: -
    ),
  );
}

export async function lcAnswer(question: string) {
  const r = await model.invoke([ // labels: LLM002
    ["system", "Answer as a senior TypeScript engineer."],
    ["human", question],
  ]);
  return r.content;
}

export async function lcClaude(question: string) {
  return claude.invoke(question); // labels: LLM004
}

export async function viaAxios(question: string) {
  const { data } = await http.post("/chat/completions", { // labels: LLM008
    model: "gpt-4o-mini",
    max_tokens: 300,
    messages: [{ role: "user", content: question }],
  });
  return data.choices[0].message.content;
}

export async function summarizeAll(docs: string[]) {
  const r = await openai.chat.completions.create({ // labels: LLM004 LLM007
    model: "gpt-4o-mini",
    max_tokens: 800,
    messages: [
      { role: "system", content: "Summarize the documents for the weekly report." },
      { role: "user", content: docs.join("\n\n") },
    ],
  });
  return r.choices[0].message.content;
}
