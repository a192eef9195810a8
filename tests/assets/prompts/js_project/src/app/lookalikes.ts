// Look-alikes that name no LLM client (the word openai here only gets past the prefilter).
import twilio from "twilio";
import { Lambda } from "@aws-sdk/client-lambda";

const tw = twilio(process.env.SID, process.env.TOKEN);
const lambda = new Lambda({});

export async function notify(to: string, body: string) {
  await tw.messages.create({ body, from: "+100", to });
  return lambda.invoke({ FunctionName: "f" });
}
