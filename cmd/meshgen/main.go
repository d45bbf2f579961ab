// Command meshgen writes a synthetic data mesh for benchmarks and demos:
//
//	go run ./cmd/meshgen -out /tmp/mesh -domains 20 -products 50
//	meshc validate --config /tmp/mesh/mesh.cue
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/meshc-dev/meshc/internal/meshgen"
)

func main() {
	var o meshgen.Options
	out := flag.String("out", "", "`directory` to write the mesh into; must be empty or not exist")
	flag.IntVar(&o.Domains, "domains", meshgen.DefaultDomains, "number of domains")
	flag.IntVar(&o.ProductsPerDomain, "products", meshgen.DefaultProductsPerDomain, "products per domain")
	flag.IntVar(&o.PortsPerProduct, "ports", meshgen.DefaultPortsPerProduct, "output ports per product")
	flag.IntVar(&o.FieldsPerPort, "fields", meshgen.DefaultFieldsPerPort, "schema fields per output port")
	flag.IntVar(&o.InputsPerProduct, "inputs", meshgen.DefaultInputsPerProduct, "most input ports per product (each has 0 to this many); negative for none")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed writes the same mesh")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: meshgen -out DIR [flags]\n\nWrite a synthetic data mesh: DIR/mesh.cue and DIR/domains/<domain>/*.cue.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	st, err := meshgen.Write(*out, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d domains, %d products (%d output ports, %d fields, %d input ports) in %d files, %.1f MB (%.1f KB per product) to %s\n",
		st.Domains, st.Products, st.OutputPorts, st.Fields, st.InputPorts, st.Files,
		float64(st.Bytes)/1e6, float64(st.Bytes)/1e3/float64(max(st.Products, 1)), *out)
}
