// The gRPC server: the MongoLoader service plus standard health checking
// (grpc.health.v1.Health) and server reflection, on one listening address.
#ifndef GHLOADER_API_GRPC_SERVER_H_
#define GHLOADER_API_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/loader_service.h"

namespace ghloader {

class GrpcServer {
 public:
  // Starts serving `service` on `listen_address` ("host:port"). Unavailable
  // with the address in the message when it cannot bind.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& listen_address,
                                                           LoaderService& service);

  int port() const { return port_; }

  // Reports NOT_SERVING to health checks, stops accepting calls, and waits
  // up to `grace` for calls in progress before cancelling them.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}

  std::unique_ptr<grpc::Server> server_;
  int port_;
};

}  // namespace ghloader

#endif  // GHLOADER_API_GRPC_SERVER_H_
