// Fallback for libtorch installs without the distributed-autograd headers (Debian's
// libtorch-dev 1.13 ships torch/csrc/distributed/c10d but not .../autograd). c10d's
// reducer.hpp includes this header only for two names, which are declared here as
// libtorch declares them. Found with -idirafter, so a libtorch that ships the real header
// (a PyTorch wheel, LIBTORCH=…) uses its own. Plume never creates a distributed-autograd
// context (that is torch.distributed.rpc); the Reducer only holds a null pointer to one.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor &)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
