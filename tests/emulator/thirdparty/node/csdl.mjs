// OASIS OData TC's own tools, unmodified, read the emulator's $metadata as they read a real
// organisation's: odata-csdl parses the CSDL XML strictly (an unknown element or a missing
// attribute throws), and odata-openapi generates an OpenAPI document from it, as a code
// generator does. Prints one JSON line: what they said and what they generated.
import { xml2json } from "odata-csdl";
import { csdl2openapi } from "odata-openapi";

const [, , url] = process.argv;
const response = await fetch(`${url}/api/data/v9.2/$metadata`, {
  headers: { Authorization: "Bearer t" },
});
const xml = await response.text();
const messages = [];
const csdl = xml2json(xml, { messages, strict: true });
const openapi = csdl2openapi(csdl, { messages, diagram: false });
console.log(
  JSON.stringify({
    status: response.status,
    messages,
    paths: Object.keys(openapi.paths),
    schemas: Object.keys(openapi.components.schemas),
  }),
);
