package result

import "time"

// Usage is `meshc usage`: per product and port, the declared consumers
// joined with the observed ones.
type Usage struct {
	Today     string         `json:"today"`      // YYYY-MM-DD, UTC
	StaleDays int            `json:"stale_days"` // a declared consumer unseen this long is stale
	Products  []ProductUsage `json:"products"`
}

// ProductUsage is one product's ports and their consumers.
type ProductUsage struct {
	Product string      `json:"product"`
	Team    string      `json:"team,omitempty"`
	Status  string      `json:"status"`
	Sunset  string      `json:"sunset,omitempty"` // deprecated products
	Ports   []PortUsage `json:"ports"`
}

// PortUsage is one output port's consumers.
type PortUsage struct {
	Port      string          `json:"port"`
	Active7   int             `json:"active_7d"`  // consumers seen in the last 7 days
	Active30  int             `json:"active_30d"` // ... and 30
	Unused    bool            `json:"unused"`     // no one read it in 30 days
	Consumers []ConsumerUsage `json:"consumers"`
}

// ConsumerUsage is one consumer of a port, declared, observed or both.
type ConsumerUsage struct {
	// Consumer is a product id, or "job:NAMESPACE/NAME" for a job no
	// product claims.
	Consumer string     `json:"consumer"`
	Team     string     `json:"team,omitempty"`
	Declared bool       `json:"declared"`
	Runs7    int64      `json:"runs_7d"`
	Runs30   int64      `json:"runs_30d"`
	Failed30 int64      `json:"failed_30d"`
	LastSeen *time.Time `json:"last_seen,omitempty"`
	// Shadow: observed, not declared. Stale: declared, not seen in
	// StaleDays. Retiring: still reading a deprecated or retired product.
	Shadow   bool `json:"shadow"`
	Stale    bool `json:"stale"`
	Retiring bool `json:"retiring"`
}
