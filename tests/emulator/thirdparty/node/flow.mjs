// The npm `dynamics-web-api` client, unmodified, through a CRUD / paging / ETag / upsert / N:N /
// $batch / FetchXML / functions / metadata flow against a served emulator.
// Usage: node flow.mjs <base url> <1:N navigation operating hour -> queues>
// Prints one JSON line per step ({step, ok, detail}); exits 1 if any step failed.
import { DynamicsWebApi } from "dynamics-web-api";

const [baseUrl, hoursToQueues] = process.argv.slice(2);
const api = new DynamicsWebApi({
  serverUrl: `${baseUrl}/`,
  dataApi: { version: "9.2" },
  onTokenRefresh: async () => ({ accessToken: "dummy-token" }),
});
const strict = new DynamicsWebApi({
  serverUrl: `${baseUrl}/`,
  dataApi: { version: "9.2" },
  onTokenRefresh: async () => ({ accessToken: "dummy-token" }),
  propagateErrors: true,
});

let failures = 0;
async function step(name, body) {
  try {
    const detail = await body();
    console.log(JSON.stringify({ step: name, ok: true, detail: detail ?? null }));
  } catch (error) {
    failures += 1;
    const detail = error && error.stack ? `${error.message}\n${error.stack}` : String(error);
    console.log(JSON.stringify({ step: name, ok: false, detail }));
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
async function rejects(promise, what) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected a rejection`);
}

const PREFIX = "dwa-page-";
const ids = {};

await step("WhoAmI() by callFunction", async () => {
  const me = await api.callFunction("WhoAmI");
  check(me.UserId && me.OrganizationId, "no UserId/OrganizationId");
});

await step("RetrieveVersion() and RetrieveTotalRecordCount with parameters", async () => {
  const version = await api.callFunction("RetrieveVersion");
  check(/^9\.2\./.test(version.Version), `version ${version.Version}`);
  const counted = await api.callFunction({
    name: "RetrieveTotalRecordCount",
    parameters: { EntityNames: ["queue"] },
  });
  same(counted.EntityRecordCountCollection.Keys, ["queue"], "keys");
});

await step("create, and create with representation", async () => {
  ids.hours = await api.create({ collection: "msdyn_operatinghours", data: { msdyn_name: "Weekdays" } });
  ids.queue = await api.create({
    collection: "queues",
    data: {
      name: "dwa-first",
      msdyn_queuetype: 192350000,
      "msdyn_operatinghourid@odata.bind": `/msdyn_operatinghours(${ids.hours})`,
    },
  });
  const represented = await api.create({
    collection: "queues",
    data: { name: "dwa-second", msdyn_priority: 7 },
    returnRepresentation: true,
    select: ["name", "msdyn_priority"],
  });
  same(represented.msdyn_priority, 7, "represented priority");
  ids.second = represented.queueid;
});

await step("retrieve with select and formatted values", async () => {
  const row = await api.retrieve({
    collection: "queues",
    key: ids.queue,
    select: ["name", "msdyn_queuetype", "_msdyn_operatinghourid_value"],
    includeAnnotations: "OData.Community.Display.V1.FormattedValue",
  });
  same(row.name, "dwa-first", "name");
  same(row.msdyn_queuetype_Formatted, "Messaging", "choice formatted value");
  same(row._msdyn_operatinghourid_value_Formatted, "Weekdays", "lookup formatted value");
  check(row._msdyn_operatinghourid_value_LogicalName === undefined, "lookuplogicalname not asked");
});

await step("ETags: stale If-Match refused, If-None-Match answered 304", async () => {
  const row = await api.retrieve({ collection: "queues", key: ids.queue, select: ["name"] });
  const etag = row["@odata.etag"];
  await api.update({ collection: "queues", key: ids.queue, data: { msdyn_priority: 3 } });
  const stale = await api.update({ collection: "queues", key: ids.queue, data: { name: "x" }, ifmatch: etag });
  same(stale, false, "update with a stale ETag");
  const fresh = await api.retrieve({ collection: "queues", key: ids.queue, select: ["name"] });
  const unchanged = await api.retrieve({
    collection: "queues",
    key: ids.queue,
    select: ["name"],
    ifnonematch: fresh["@odata.etag"],
  });
  check(unchanged === null || unchanged === undefined || unchanged.name === "dwa-first", "304");
});

await step("updateSingleProperty and upsert", async () => {
  await api.updateSingleProperty({ collection: "queues", key: ids.queue, fieldValuePair: { msdyn_priority: 4 } });
  const newId = "7d577253-3ef0-4a0a-bb7f-8e99f115abcd";
  await api.upsert({ collection: "queues", key: newId, data: { name: "dwa-upserted" } });
  await api.upsert({ collection: "queues", key: newId, data: { msdyn_priority: 9 } });
  const row = await api.retrieve({ collection: "queues", key: newId, select: ["name", "msdyn_priority"] });
  same([row.name, row.msdyn_priority], ["dwa-upserted", 9], "upserted row");
  const refused = await api.upsert({ collection: "queues", key: newId, data: { name: "no" }, ifnonematch: "*" });
  same(refused, null, "create-only upsert of an existing row");
});

await step("paging: maxPageSize pages and retrieveAll", async () => {
  for (let i = 0; i < 12; i += 1) {
    await api.create({ collection: "queues", data: { name: `${PREFIX}${String(i).padStart(2, "0")}` } });
  }
  const request = {
    collection: "queues",
    select: ["name"],
    filter: `startswith(name,'${PREFIX}')`,
    orderBy: ["name"],
    maxPageSize: 5,
    count: true,
  };
  const first = await api.retrieveMultiple(request);
  same(first.value.length, 5, "first page");
  same(first.oDataCount, 12, "count");
  check(first.oDataNextLink, "no next link");
  const all = await api.retrieveAll(request);
  same(all.value.map((r) => r.name), [...Array(12).keys()].map((i) => `${PREFIX}${String(i).padStart(2, "0")}`), "all rows");
});

await step("count() by /$count and countAll()", async () => {
  const total = await api.count({ collection: "queues" });
  check(Number.isInteger(total) && total >= 15, `count ${total}`);
  const filtered = await api.count({ collection: "queues", filter: `startswith(name,'${PREFIX}')` });
  same(filtered, 12, "filtered count");
  same(await api.countAll({ collection: "queues", filter: `startswith(name,'${PREFIX}')`, select: ["name"] }), 12, "countAll");
});

const fetchXml = `<fetch count="5"><entity name="queue"><attribute name="name"/><filter><condition attribute="name" operator="like" value="${PREFIX}%"/></filter><order attribute="name"/></entity></fetch>`;

// The paging cookie is an annotation, sent only when asked for ("Page results using FetchXml").
const cookie = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie";

await step("FetchXML: fetch pages with the paging cookie, fetchAll", async () => {
  const bare = await api.fetch({ collection: "queues", fetchXml, pageNumber: 1 });
  check(bare.PagingInfo === undefined, "a paging cookie nobody asked for");
  const first = await api.fetch({ collection: "queues", fetchXml, pageNumber: 1, includeAnnotations: cookie });
  same(first.value.length, 5, "first FetchXML page");
  same(Object.keys(first.value[0]).sort(), ["@odata.etag", "name", "queueid"], "only the asked columns");
  check(first.PagingInfo && first.PagingInfo.nextPage === 2, "paging info");
  const second = await api.fetch({
    collection: "queues",
    fetchXml,
    pageNumber: first.PagingInfo.nextPage,
    pagingCookie: first.PagingInfo.cookie,
    includeAnnotations: cookie,
  });
  same(second.value[0].name, `${PREFIX}05`, "second page starts after the first");
  const all = await api.fetchAll({ collection: "queues", fetchXml, includeAnnotations: cookie });
  same(all.value.length, 12, "fetchAll rows");
});

await step("FetchXML aggregate and $apply", async () => {
  const counted = await api.fetch({
    collection: "queues",
    fetchXml: `<fetch aggregate="true"><entity name="queue"><attribute name="queueid" alias="n" aggregate="count"/><filter><condition attribute="name" operator="begins-with" value="${PREFIX}"/></filter></entity></fetch>`,
  });
  same(counted.value, [{ n: 12 }], "aggregate count");
  const applied = await api.retrieveMultiple({
    collection: "queues",
    apply: `filter(startswith(name,'${PREFIX}'))/aggregate($count as n)`,
  });
  same(applied.value, [{ n: 12 }], "$apply count");
});

await step("N:N associate, expand from both sides, disassociate", async () => {
  ids.reply = await api.create({ collection: "msdyn_cannedmessages", data: { msdyn_title: "Hi" } });
  ids.stream = await api.create({
    collection: "msdyn_liveworkstreams",
    data: {
      msdyn_name: "dwa-stream",
      msdyn_streamsource: 192340000,
      msdyn_workdistributionmode: 192350000,
      msdyn_direction: 0,
      msdyn_capacityrequired: 1,
      msdyn_allowedpresences: "192360000",
      msdyn_autocloseafterinactivity: 60,
    },
  });
  const relationship = "msdyn_msdyn_cannedmessage_liveworkstream";
  await api.associate({
    collection: "msdyn_cannedmessages",
    primaryKey: ids.reply,
    relationshipName: relationship,
    relatedCollection: "msdyn_liveworkstreams",
    relatedKey: ids.stream,
  });
  const stream = await api.retrieve({
    collection: "msdyn_liveworkstreams",
    key: ids.stream,
    select: ["msdyn_name"],
    expand: [{ property: relationship, select: ["msdyn_title"] }],
  });
  same(stream[relationship].map((r) => r.msdyn_title), ["Hi"], "expanded from the workstream");
  await api.disassociate({
    collection: "msdyn_cannedmessages",
    primaryKey: ids.reply,
    relationshipName: relationship,
    relatedKey: ids.stream,
  });
  const after = await api.retrieve({
    collection: "msdyn_cannedmessages",
    key: ids.reply,
    expand: [{ property: relationship }],
  });
  same(after[relationship], [], "no link left");
});

await step("1:N collection-valued navigation expands with nested options", async () => {
  const hours = await api.retrieve({
    collection: "msdyn_operatinghours",
    key: ids.hours,
    select: ["msdyn_name"],
    expand: [{ property: hoursToQueues, select: ["name"], filter: "startswith(name,'dwa-')", orderBy: ["name"] }],
  });
  same(hours[hoursToQueues].map((q) => q.name), ["dwa-first"], "queues of the operating hours");
});

await step("$batch: a change set with Content-ID references commits", async () => {
  api.startBatch();
  api.create({ collection: "msdyn_operatinghours", data: { msdyn_name: "Batch hours" }, contentId: "1" });
  api.create({
    collection: "queues",
    data: { name: "dwa-batch", "msdyn_operatinghourid@odata.bind": "$1" },
  });
  api.retrieveMultiple({ collection: "queues", select: ["name"], filter: "name eq 'dwa-first'" });
  const results = await api.executeBatch();
  same(results.length, 3, "results");
  same(results[2].value.map((r) => r.name), ["dwa-first"], "GET outside the change set");
});

await step("$batch: a failing change set rejects and rolls back", async () => {
  strict.startBatch();
  strict.create({ collection: "queues", data: { name: "dwa-rolled-back" } });
  strict.create({ collection: "queues", data: { name: "dwa-bad", msdyn_queuetype: 5 } });
  const error = await rejects(strict.executeBatch(), "executeBatch");
  const errors = Array.isArray(error) ? error : [error];
  check(errors.some((e) => e.status === 400), `errors ${JSON.stringify(errors)}`);
  same(await api.count({ collection: "queues", filter: "name eq 'dwa-rolled-back'" }), 0, "rolled back");
});

await step("$batch with continueOnError resolves with the part errors", async () => {
  api.startBatch();
  api.create({ collection: "queues", data: { name: "dwa-bad", msdyn_queuetype: 5 }, inChangeSet: false });
  api.create({ collection: "queues", data: { name: "dwa-after" }, inChangeSet: false });
  const results = await api.executeBatch({ continueOnError: true });
  same(results.length, 2, "both parts answered");
  check(results[0] instanceof Error || results[0].status === 400, "first part failed");
  same(await api.count({ collection: "queues", filter: "name eq 'dwa-after'" }), 1, "second ran");
});

await step("metadata: entity, picklist attributes with option sets, CSDL", async () => {
  const entity = await api.retrieveEntity({ key: "LogicalName='queue'", select: ["EntitySetName", "PrimaryIdAttribute"] });
  same([entity.EntitySetName, entity.PrimaryIdAttribute], ["queues", "queueid"], "entity");
  const picklists = await api.retrieveAttributes({
    entityKey: "LogicalName='queue'",
    castType: "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
    select: ["LogicalName"],
    expand: [{ property: "OptionSet", select: ["Options"] }],
  });
  const queueType = picklists.value.find((a) => a.LogicalName === "msdyn_queuetype");
  // the queue page lists two queue types (Messaging, Entity); no Voice option
  same(queueType && queueType.OptionSet.Options.map((o) => o.Value), [192350000, 192350001], "msdyn_queuetype options");
  const csdl = await api.retrieveCsdlMetadata();
  check(csdl.includes('EntityType Name="queue"'), "CSDL declares queue");
});

await step("metadata: expanded attributes, relationship casts, global option sets", async () => {
  const entity = await api.retrieveEntity({
    key: "LogicalName='msdyn_liveworkstreamcapacityprofile'",
    select: ["LogicalName"],
    expand: [{ property: "Attributes", select: ["LogicalName", "AttributeType"] }],
  });
  check(Array.isArray(entity.Attributes) && entity.Attributes.length > 0, "Attributes expanded");
  check(entity.Attributes.some((a) => a.LogicalName === "msdyn_capacityprofile_id"), "lookup listed");
  const nn = await api.retrieveRelationships({
    castType: "Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata",
    select: ["SchemaName", "Entity1NavigationPropertyName"],
  });
  check(nn.value.some((r) => r.SchemaName === "msdyn_msdyn_cannedmessage_liveworkstream"), "N:N cast");
  const m1 = await api.retrieveRelationships({
    castType: "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
    select: ["ReferencingAttribute", "ReferencingEntityNavigationPropertyName"],
    filter: "ReferencingEntity eq 'msdyn_liveworkstreamcapacityprofile'",
  });
  const capacity = m1.value.find((r) => r.ReferencingAttribute === "msdyn_capacityprofile_id");
  same(capacity && capacity.ReferencingEntityNavigationPropertyName, "msdyn_capacityProfile_id", "1:N cast, case kept");
  const channels = await api.retrieveGlobalOptionSet({
    key: "Name='msdyn_streamsource'",
    castType: "Microsoft.Dynamics.CRM.OptionSetMetadata",
    select: ["Name", "Options"],
  });
  check(channels.Options.some((o) => o.Value === 192340000), "SMS is a channel");
  const sets = await api.retrieveGlobalOptionSets({ select: ["Name"] });
  check(sets.value.some((o) => o.Name === "msdyn_streamsource"), "global option sets listed");
});

await step("delete, then the row is gone", async () => {
  await strict.deleteRecord({ collection: "queues", key: ids.second });
  const error = await rejects(strict.retrieve({ collection: "queues", key: ids.second }), "retrieve");
  same(error.status, 404, "status");
});

await step("FetchXML the emulator does not run is refused, never answered", async () => {
  const error = await rejects(
    strict.fetch({
      collection: "queues",
      fetchXml: '<fetch><entity name="queue"><filter><condition attribute="createdon" operator="last-x-days" value="2"/></filter></entity></fetch>',
    }),
    "fetch",
  );
  same(error.status, 400, "status");
});

process.exit(failures ? 1 : 0);
