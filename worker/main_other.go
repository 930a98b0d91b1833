//go:build !js

package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

// main serves the worker's handler as a plain HTTP server on 127.0.0.1,
// for local development: PORT sets the port (default 8787).
func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8787"
	}
	addr := "127.0.0.1:" + port
	log.Printf("wasmcnn worker (native) on http://%s/", addr)
	srv := &http.Server{Addr: addr, Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
