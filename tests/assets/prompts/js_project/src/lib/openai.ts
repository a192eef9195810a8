// Clients built once and imported by the routes (the shape of most Next.js apps).
import OpenAI from "openai";
import { ChatOpenAI } from "@langchain/openai";
import axios from "axios";

export const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
export const safeOpenai = new OpenAI({ timeout: 20_000 });
export const llm = new ChatOpenAI({ model: "gpt-4o", temperature: 0 });
export const cheap = new ChatOpenAI({ model: "gpt-4o-mini", maxTokens: 200 });
export const api = axios.create({ baseURL: "https://api.openai.com/v1", headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY}` } });
export const timedApi = axios.create({ baseURL: "https://api.openai.com/v1", timeout: 30_000 });
export default new OpenAI({ timeout: 5000 });
