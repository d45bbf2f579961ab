// Package site builds the catalog as a static web site: an index with a
// prebuilt search index and filters, a page per product (ports and schemas,
// lifecycle, consumers, change history, lineage, and when given them its
// scorecard with its trend and its observed usage), per domain and per team
// (with their mean scores), and the lineage of the whole mesh drawn by
// pkg/lineage.
//
// Every page is made by html/template, so every tenant string is escaped;
// each page carries a strict Content-Security-Policy (no remote origin, no
// inline script but the index's, allowed by its hash computed at build).
// The CSS and JavaScript are embedded in the binary: the site works from
// file:// and any static host, offline.
//
// site reads the model (pkg/catalog), the live catalog's document
// (pkg/state), the consumers graph of pkg/plan, and the scores and usage
// the engine computed (pkg/result, passed in through Options: the site
// computes neither). It must not import config, source, compile, mesh,
// render, github, engine, score or usage, and never prints.
package site
