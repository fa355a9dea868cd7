package webtest

import "github.com/chromedp/cdproto/runtime"

type runtimeEvaluateParams = runtime.EvaluateParams
