package result

// Scores is `meshc score`: each product's scorecard, with the domain and
// team roll-ups.
type Scores struct {
	Levels   []Level        `json:"levels"` // lowest first
	Products []ProductScore `json:"products"`
	Domains  []RollUp       `json:"domains"`
	Teams    []RollUp       `json:"teams"`
}

// Level is a named threshold: a score of at least Min reaches it.
type Level struct {
	Name string  `json:"name"`
	Min  float64 `json:"min"`
}

// ProductScore is one product's scorecard.
type ProductScore struct {
	Product string       `json:"product"`
	Domain  string       `json:"domain"`
	Team    string       `json:"team,omitempty"`
	Score   float64      `json:"score"` // 0-100: the weighted share of checks passed
	Level   string       `json:"level,omitempty"`
	Checks  []CheckScore `json:"checks"`
	// Previous is the score recorded by the last apply, when there is one.
	Previous *float64 `json:"previous,omitempty"`
}

// CheckScore is one check of a scorecard on one product.
type CheckScore struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Weight float64 `json:"weight"`
	Passed bool    `json:"passed"`
	Detail string  `json:"detail,omitempty"` // why it failed
}

// RollUp is the mean score of a group of products.
type RollUp struct {
	Name     string  `json:"name"`
	Products int     `json:"products"`
	Score    float64 `json:"score"`
	Level    string  `json:"level,omitempty"`
}
