package meshgen

// The words synthetic meshes are made of. Only the order of these lists and
// the seed decide what Write produces: changing a list changes every mesh.

// domainNames are business domains; meshes with more domains than this add
// a region to the name.
var domainNames = []string{
	"orders", "customers", "payments", "inventory", "shipping", "marketing",
	"finance", "catalog", "pricing", "returns", "loyalty", "support",
	"fraud", "logistics", "procurement", "suppliers", "warehouse", "billing",
	"subscriptions", "identity", "search", "recommendations", "reviews",
	"promotions", "sales", "partners", "stores", "delivery", "fleet",
	"advertising", "content", "notifications", "payroll", "risk",
	"compliance", "treasury", "tax", "checkout", "onboarding", "messaging",
}

// regions tell apart the domains of a large mesh that share a name.
var regions = []string{"", "emea", "apac", "amer", "latam", "anz", "nordics", "dach"}

// domainPurposes describe what a domain is about.
var domainPurposes = []string{
	"Everything that happens to %s from the first interaction to the last, as the rest of the company sees it.",
	"The source of truth for %s: master data, their history and the events that change them.",
	"Operational and analytical data about %s, owned and curated by the team that runs the systems.",
	"How %s work day to day: the facts, the aggregates and the features the other domains build on.",
}

// entities are what products are about.
var entities = []string{
	"order", "customer", "payment", "invoice", "shipment", "parcel", "item",
	"account", "session", "refund", "claim", "ticket", "subscription",
	"contract", "supplier", "product", "price", "promotion", "campaign",
	"store", "warehouse", "route", "vehicle", "driver", "employee",
	"transaction", "ledger_entry", "review", "search_query", "recommendation",
	"cart", "coupon", "device", "message", "visit", "return", "stock_level",
	"forecast", "budget", "partner",
}

// kinds say what shape of data a product offers about its entity.
var kinds = []string{
	"events", "snapshots", "daily_summary", "history", "features", "metrics",
	"dimension", "facts", "changes", "forecasts", "quality_report",
	"aggregates", "status", "scores", "hourly_rollup", "monthly_report",
	"current_state", "timeline", "anomalies", "segments", "lineage",
	"exports", "benchmarks", "cohorts", "audit_log",
}

// kindPurposes describe a product of each kind; %[1]s is the entity.
var kindPurposes = map[string]string{
	"events":         "Every state change of every %[1]s, as it happens, in the order it happened.",
	"snapshots":      "A daily snapshot of every %[1]s as it stood at midnight UTC, kept for point-in-time analysis.",
	"daily_summary":  "One row per %[1]s and day with the figures the business reviews every morning.",
	"history":        "The full history of every %[1]s, one version per change, with validity intervals.",
	"features":       "Model features computed per %[1]s, refreshed for training and online scoring.",
	"metrics":        "Operational metrics per %[1]s, aggregated from the source systems every few minutes.",
	"dimension":      "The conformed %[1]s dimension: one current row per %[1]s with its descriptive attributes.",
	"facts":          "Atomic %[1]s facts at the finest grain the source systems record.",
	"changes":        "Change data capture of the %[1]s tables of the operational database.",
	"forecasts":      "Forecasts per %[1]s for the coming weeks, with their confidence intervals.",
	"quality_report": "Data quality results for %[1]s data: checks run, failures found and their trend.",
	"aggregates":     "Pre-computed %[1]s aggregates by day, week and month for dashboards.",
	"status":         "The current status of every %[1]s, updated as soon as the source system changes it.",
	"scores":         "Scores per %[1]s computed by the domain's models, with the model version used.",
	"hourly_rollup":  "Hourly roll-up of %[1]s activity, for near real-time monitoring.",
	"monthly_report": "The monthly %[1]s report as published to finance and management.",
	"current_state":  "The latest known state of each %[1]s, deduplicated and cleansed.",
	"timeline":       "A timeline of the milestones of every %[1]s, in the order they were reached.",
	"anomalies":      "Unusual %[1]s behaviour detected by the domain's monitoring, with its severity.",
	"segments":       "The segment each %[1]s belongs to, as defined by the domain's analysts.",
	"lineage":        "Which upstream records each %[1]s was derived from, for audits and debugging.",
	"exports":        "Periodic exports of %[1]s data in the formats partners and regulators ask for.",
	"benchmarks":     "Benchmarks comparing %[1]s figures across regions, channels and periods.",
	"cohorts":        "%[1]s cohorts by first activity month, with retention and value over time.",
	"audit_log":      "Every access to and change of %[1]s records, for compliance reviews.",
}

// portNames are output port names, each with its port type and a
// description of what it offers; %s is the product's title.
var portNames = []struct{ name, typ, desc string }{
	{"events", "topic", "Every change of %s as an event, in the order it happened."},
	{"snapshot", "table", "The latest snapshot of %s, partitioned by business date."},
	{"daily", "table", "One partition per day of %s, complete once the day is closed."},
	{"api", "api", "Look up %s by key, for services that need it online."},
	{"export", "file", "Nightly export of %s for bulk consumers and partners."},
	{"current", "view", "The current rows of %s, deduplicated, for ad-hoc analysis."},
	{"changes", "topic", "Changes to %s as change-data-capture records."},
	{"history", "table", "The full history of %s, one row per version."},
	{"archive", "file", "Archived %s older than the retention of the other ports."},
	{"hourly", "view", "Hourly aggregates of %s for dashboards."},
}

// formats are the formats of each port type; "" means none declared.
var formats = map[string][]string{
	"topic": {"avro", "json", "protobuf"},
	"table": {"delta", "iceberg", ""},
	"view":  {""},
	"file":  {"parquet", "csv", "json"},
	"api":   {"json", ""},
}

// field is one entry of the field vocabulary.
type field struct {
	name, typ, desc string
	pii             bool
}

// fields are the columns output ports are made of.
var fields = []field{
	{"created_at", "timestamp", "When the record was first created in the source system, in UTC.", false},
	{"updated_at", "timestamp", "When the record was last changed in the source system, in UTC.", false},
	{"event_time", "timestamp", "When the event happened, as reported by the producing service.", false},
	{"ingested_at", "timestamp", "When the platform ingested the record; later than event_time.", false},
	{"business_date", "date", "The business day the record belongs to, in the local time zone.", false},
	{"valid_from", "date", "First day on which this version of the record is valid.", false},
	{"valid_to", "date", "Last day on which this version of the record is valid, if any.", false},
	{"local_time", "time", "Local wall-clock time of the event at the place it happened.", false},
	{"status", "string", "Lifecycle status of the record as defined by the owning domain.", false},
	{"channel", "string", "Sales or contact channel the record came through (web, app, store).", false},
	{"country_code", "string", "ISO 3166-1 alpha-2 code of the country the record belongs to.", false},
	{"currency", "string", "ISO 4217 code of the currency all amounts of the record are in.", false},
	{"region", "string", "Sales region, as defined by the regional organisation chart.", false},
	{"source_system", "string", "Name of the operational system the record was read from.", false},
	{"external_ref", "string", "Reference of the record in the partner's or supplier's system.", false},
	{"category", "string", "Category of the record according to the company's taxonomy.", false},
	{"language", "string", "IETF language tag of the content or of the customer's preference.", false},
	{"email", "string", "E-mail address as given by the person; personal data.", true},
	{"phone_number", "string", "Phone number in E.164 format as given by the person; personal data.", true},
	{"first_name", "string", "Given name of the person as entered at registration; personal data.", true},
	{"last_name", "string", "Family name of the person as entered at registration; personal data.", true},
	{"street_address", "string", "Street and house number of the postal address; personal data.", true},
	{"postal_code", "string", "Postal code of the address, used for regional statistics.", false},
	{"city", "string", "City of the postal address, as normalised by the address service.", false},
	{"ip_address", "string", "IP address the request came from, truncated after 90 days; personal data.", true},
	{"date_of_birth", "date", "Date of birth of the person, used only for age checks; personal data.", true},
	{"amount", "number", "Gross amount in the record's currency, including taxes and fees.", false},
	{"net_amount", "number", "Net amount in the record's currency, excluding taxes and fees.", false},
	{"tax_amount", "number", "Tax included in the gross amount, in the record's currency.", false},
	{"discount", "number", "Total discount granted, in the record's currency.", false},
	{"exchange_rate", "number", "Rate used to convert the amounts to euros on the business date.", false},
	{"score", "number", "Model score between 0 and 1; higher means more likely.", false},
	{"weight_kg", "number", "Gross weight in kilograms as measured at the warehouse.", false},
	{"duration_seconds", "number", "Duration of the activity in seconds, from start to end.", false},
	{"quantity", "integer", "Number of units, always positive; returns are separate records.", false},
	{"line_count", "integer", "Number of lines the record is made of.", false},
	{"attempt", "integer", "How many times the operation was attempted, starting at 1.", false},
	{"rank", "integer", "Position of the record in its ranking, starting at 1.", false},
	{"version_number", "integer", "Version of the record, incremented with every change.", false},
	{"is_active", "boolean", "Whether the record is active as of the snapshot's business date.", false},
	{"is_test", "boolean", "Whether the record was created by automated tests and should be ignored.", false},
	{"is_deleted", "boolean", "Whether the record was deleted in the source system (soft delete).", false},
	{"consent_given", "boolean", "Whether the person consented to marketing use of their data.", false},
	{"attributes", "object", "Free-form attributes the source system attaches to the record.", false},
	{"labels", "array", "Labels the domain team attaches to the record for routing and search.", false},
	{"line_items", "array", "The lines of the record, in the order they were entered.", false},
	{"notes", "string", "Free-text notes entered by an operator; may be empty.", false},
	{"priority", "string", "Priority class of the record (low, normal, high, urgent).", false},
	{"reason_code", "string", "Code of the reason given for the change, from the domain's code list.", false},
	{"model_version", "string", "Version of the model that computed the scores of the record.", false},
	{"batch_id", "string", "Identifier of the load batch the record arrived with.", false},
	{"correlation_id", "string", "Identifier that ties together the events of one business process.", false},
	{"latitude", "number", "Latitude of the location in decimal degrees (WGS 84).", false},
	{"longitude", "number", "Longitude of the location in decimal degrees (WGS 84).", false},
	{"margin", "number", "Contribution margin in euros after direct costs.", false},
	{"sla_breached", "boolean", "Whether the record missed its service level agreement.", false},
	{"opened_on", "date", "Day the case or account was opened.", false},
	{"closed_on", "date", "Day the case or account was closed, if it is closed.", false},
	{"owner_team", "string", "Team responsible for the record, as a GitHub team handle.", false},
	{"comment_count", "integer", "Number of comments attached to the record.", false},
}

// tags label products.
var tags = []string{
	"core", "events", "finance", "gdpr", "realtime", "batch", "kpi", "ml",
	"reporting", "master-data", "operational", "analytics", "regulatory",
	"customer-facing", "experimental", "tier-1", "tier-2", "daily",
}

// sloFreshness are the freshness promises products make.
var sloFreshness = []string{"5m", "15m", "1h", "6h", "24h"}
