package export

import (
	"net/url"
	"strconv"
	"strings"
)

// ServerFor maps an output port's location to an ODCS server (named after
// the port) and the physical name of its data, where ODCS has a server type
// for the location's scheme; anything else is a server of type custom with
// the location as is. A typed server is only used when LocationOf gives the
// location back exactly, so the mapping never loses part of it.
func ServerFor(port, portType, location, format string) (Server, string) {
	if s, physical, ok := typedServer(port, portType, location, format); ok {
		if back, ok := LocationOf(s, physical); ok && back == location {
			return s, physical
		}
	}
	return Server{Server: port, Type: "custom", Location: location, Format: format}, ""
}

// formatFields are the server types whose ODCS form has a format.
var formatFields = map[string]bool{"kafka": true, "s3": true, "local": true, "custom": true}

func typedServer(port, portType, location, format string) (Server, string, bool) {
	u, err := url.Parse(location)
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return Server{}, "", false
	}
	s := Server{Server: port}
	path := strings.TrimPrefix(u.Path, "/")
	physical := ""
	switch u.Scheme {
	case "bigquery":
		parts := strings.Split(u.Host, ".")
		if len(parts) < 2 || len(parts) > 3 || path != "" {
			return s, "", false
		}
		s.Type, s.Project, s.Dataset = "bigquery", parts[0], parts[1]
		if len(parts) == 3 {
			physical = parts[2]
		}
	case "kafka":
		if u.Host == "" {
			return s, "", false
		}
		s.Type, s.Host, physical = "kafka", u.Host, path
	case "s3":
		s.Type, s.Location = "s3", location
	case "postgres", "postgresql":
		parts := strings.Split(path, "/")
		port, err := strconv.Atoi(u.Port())
		if err != nil || u.Hostname() == "" || len(parts) < 2 || len(parts) > 3 {
			return s, "", false
		}
		s.Type, s.Host, s.Port, s.Database, s.Schema = "postgres", u.Hostname(), port, parts[0], parts[1]
		if len(parts) == 3 {
			physical = parts[2]
		}
	case "snowflake":
		parts := strings.Split(path, "/")
		if u.Host == "" || len(parts) < 2 || len(parts) > 3 {
			return s, "", false
		}
		s.Type, s.Account, s.Database, s.Schema = "snowflake", u.Host, parts[0], parts[1]
		if len(parts) == 3 {
			physical = parts[2]
		}
	case "http", "https":
		if portType != "api" {
			return s, "", false
		}
		s.Type, s.Location = "api", location
	case "file":
		if format == "" || u.Host != "" {
			return s, "", false
		}
		s.Type, s.Path = "local", u.Path
	default:
		return s, "", false
	}
	if format != "" {
		if !formatFields[s.Type] {
			return s, physical, true // the format goes in a custom property
		}
		s.Format = format
	}
	for _, part := range []string{s.Project, s.Dataset, s.Database, s.Schema, physical} {
		if strings.Contains(part, "/") {
			return s, "", false
		}
	}
	return s, physical, true
}

// LocationOf is the meshc location of an ODCS server and the physical name
// of the data in it, if its type has a meshc form.
func LocationOf(s Server, physical string) (string, bool) {
	with := func(base string) string {
		if physical == "" {
			return base
		}
		return base + "/" + physical
	}
	switch s.Type {
	case "bigquery":
		if s.Project == "" || s.Dataset == "" {
			return "", false
		}
		loc := "bigquery://" + s.Project + "." + s.Dataset
		if physical != "" {
			loc += "." + physical
		}
		return loc, true
	case "kafka":
		if s.Host == "" {
			return "", false
		}
		return with("kafka://" + s.Host), true
	case "postgres", "postgresql":
		if s.Host == "" || s.Port == 0 || s.Database == "" || s.Schema == "" {
			return "", false
		}
		return with("postgres://" + s.Host + ":" + strconv.Itoa(s.Port) + "/" + s.Database + "/" + s.Schema), true
	case "snowflake":
		if s.Account == "" || s.Database == "" || s.Schema == "" {
			return "", false
		}
		return with("snowflake://" + s.Account + "/" + s.Database + "/" + s.Schema), true
	case "local":
		if s.Path == "" {
			return "", false
		}
		return "file://" + s.Path, strings.HasPrefix(s.Path, "/")
	case "s3", "api", "custom":
		return s.Location, s.Location != ""
	}
	if s.Location != "" {
		return s.Location, true
	}
	return "", false
}
