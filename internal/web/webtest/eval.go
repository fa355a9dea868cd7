package webtest

import "github.com/chromedp/cdproto/runtime"

type runtimeEvaluateParams = runtime.EvaluateParams

// EvalParams are chromedp.Evaluate options, e.g. to await a promise.
type EvalParams = runtime.EvaluateParams
