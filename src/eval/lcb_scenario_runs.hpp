// The two families of LiveCodeBench scenarios, each run end to end once run_livecodebench() has checked
// the options and chosen the backend: they share the reports but not the way samples are judged. Internal.
#pragma once
#include <memory>
#include <optional>

#include "hrm/eval/lcb_run.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::eval::lcb::detail {

// codegeneration and selfrepair: samples judged in the sandbox against the problems' tests, resumable
// (lcb_code_run.cpp). `backend` is null when `custom` holds the samples.
RunReport run_code_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                            const std::optional<CustomOutputs>& custom);

// testoutputprediction and codeexecution: predicted values graded by the sandboxed checker
// (lcb_prediction_run.cpp). `backend` is null when `custom` holds the predictions.
RunReport run_prediction_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                                  const std::optional<CustomOutputs>& custom);

}  // namespace hrm::eval::lcb::detail
