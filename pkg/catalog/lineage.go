package catalog

import (
	"net/url"
	"strings"
)

// LineageID is an OpenLineage identity: a dataset's or a job's namespace
// and name.
type LineageID struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String is "namespace/name" for messages.
func (l LineageID) String() string { return l.Namespace + "/" + l.Name }

// Datasets returns the OpenLineage datasets port publishes: its lineage
// when declared, else the one derived from its location by
// DatasetFromLocation (none when the location yields none).
func (port OutputPort) Datasets() []LineageID {
	if len(port.Lineage) > 0 {
		return port.Lineage
	}
	if id, ok := DatasetFromLocation(port.Location); ok {
		return []LineageID{id}
	}
	return nil
}

// DatasetFromLocation derives an OpenLineage dataset identity from a
// port's location, following OpenLineage's naming conventions for the
// common schemes:
//
//   - scheme://authority/path: namespace "scheme://authority", name the
//     path without its leading and trailing "/" (s3://bucket/key,
//     gs://bucket/key, postgres://host:5432/db.schema.table,
//     kafka://broker:9092/topic, https://host/path);
//   - scheme://name with no path: namespace "scheme", name "name"
//     (bigquery://project.dataset.table, snowflake://db.schema.table,
//     kafka://topic when the location names no broker).
//
// A location that is not a URL yields none.
func DatasetFromLocation(location string) (LineageID, bool) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return LineageID{}, false
	}
	path := strings.Trim(u.Path, "/")
	if path == "" {
		return LineageID{Namespace: u.Scheme, Name: u.Host}, true
	}
	return LineageID{Namespace: u.Scheme + "://" + u.Host, Name: path}, true
}
