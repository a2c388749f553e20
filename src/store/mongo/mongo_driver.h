// Process-wide set-up of the MongoDB C driver: mongoc_init and a log
// handler that sends the driver's messages to spdlog.
#ifndef GHLOADER_STORE_MONGO_MONGO_DRIVER_H_
#define GHLOADER_STORE_MONGO_MONGO_DRIVER_H_

namespace ghloader {

// Initializes the driver once per process; later calls do nothing. Call it
// before any other mongoc function, so that no driver message bypasses the
// log handler.
void InitMongoDriver();

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_DRIVER_H_
