// Command wasmcnn trains, evaluates, inspects, runs, benchmarks and serves
// wasmcnn models.
//
//	wasmcnn info -model M.onnx               describe a model
//	wasmcnn run -model M.onnx -input X.npy   run a model, print JSON
//	wasmcnn serve [-dir DIR] [-addr ADDR]    serve the built site
//	wasmcnn size [-json FILE]                sizes of the WebAssembly builds
//
// Run "wasmcnn help" for every command.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand of the CLI.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"serve":     {"serve the static site (the demo page) over HTTP", runServe},
	"site":      {"build the deployable static site (the page, the engine, the models)", runSite},
	"package":   {"build the npm package's folder (the API's modules, types, builds and models)", runPackage},
	"worker":    {"build the edge worker bundle and serve it locally under workerd", runWorker},
	"info":      {"describe an ONNX model: inputs, outputs, ops, parameters, cost", runInfo},
	"run":       {"run an ONNX model on an input (.npy or JSON) and print the outputs as JSON", runRun},
	"train":     {"train a digit model on MNIST and pen digits, write it as ONNX with its card", runTrain},
	"calibrate": {"choose a digit model's verdict rule (temperature, thresholds) on validation material and write it into the model", runCalibrate},
	"eval":      {"measure a digit model on MNIST or pen strokes; print and draw the results", runEval},
	"finetune":  {"teach a digit model pen writers' own digits and measure the personal models", runFineTune},
	"bench":     {"compare wasmcnn with TensorFlow.js and ONNX Runtime Web in headless Chromium", runBench},
	"soup":      {"average the weights of digit models trained from the same start (a model soup)", runSoup},
	"size":      {"measure the WebAssembly builds: raw, gzip and brotli sizes, code per Go package", runSize},
	"notdigits": {"make the non-digit drawings a model learns to refuse, from fonts, stroke data and generators", runNotDigits},
	"digits":    {"write the MNIST digits the page ships: a dropped model's pixel scale is judged on them, fine-tuning replays them", runDigits},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wasmcnn: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(args[1:], stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "wasmcnn %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wasmcnn <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"wasmcnn <command> -h\" for its flags.")
}
