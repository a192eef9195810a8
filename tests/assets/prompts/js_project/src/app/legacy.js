// The openai v3 package (2023 code): OpenAIApi over axios, options as the second argument.
const { Configuration, OpenAIApi } = require("openai");
const openai = new OpenAIApi(new Configuration({ apiKey: process.env.OPENAI_API_KEY }));

async function ask(q) {
  const completion = await openai.createChatCompletion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: q }] }); // expect: LLM002 expect: LLM004 expect: LLM008
  return completion.data.choices[0].message.content;
}

async function askTimed(q) {
  const completion = await openai.createChatCompletion({ model: "gpt-3.5-turbo", max_tokens: 100, messages: [{ role: "user", content: q }] }, { timeout: 10000 }); // ok: LLM002 ok: LLM004 expect: LLM008
  return completion.data.choices[0].message.content;
}

module.exports = { ask, askTimed };
