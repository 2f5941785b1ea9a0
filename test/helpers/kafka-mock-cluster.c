/*
 * A Kafka cluster for tests: librdkafka's mock cluster (the one librdkafka's own test suite uses), listening on
 * 127.0.0.1 at ports the kernel picks. Compiled by test/helpers/kafka-mock.ts with `cc ... -lrdkafka`.
 *
 * Usage: mock-cluster BROKERS
 * Prints one line "bootstrap HOST:PORT,..." once the cluster listens, then reads commands, one per line, from
 * stdin and answers each with "ok" or "error <reason>":
 *   topic NAME PARTITIONS REPLICATION   create a topic (the mock has no CreateTopics admin API)
 *   errors APIKEY CODE...               the next requests of that API key fail with these error codes, in order
 *   down BROKER | up BROKER             disconnect a broker and refuse connections / accept them again (-1: all)
 *   rtt BROKER MS                       delay that broker's responses
 *   coordinator group|txn KEY BROKER    choose a group's coordinator
 *   leader TOPIC PARTITION BROKER       move a partition's leader
 * The cluster is torn down when stdin closes (the test process ended), so no cluster outlives its test.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 64

static void reply(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) printf("ok\n");
  else printf("error %s\n", rd_kafka_err2str(err));
  fflush(stdout);
}

static void handle(rd_kafka_mock_cluster_t *cluster, char *line) {
  char *verb = strtok(line, " \t\r\n");
  if (verb == NULL) { printf("error empty command\n"); fflush(stdout); return; }
  if (strcmp(verb, "topic") == 0) {
    char *name = strtok(NULL, " \t\r\n");
    char *partitions = strtok(NULL, " \t\r\n");
    char *replication = strtok(NULL, " \t\r\n");
    if (!name || !partitions || !replication) { printf("error usage: topic NAME PARTITIONS REPLICATION\n"); fflush(stdout); return; }
    reply(rd_kafka_mock_topic_create(cluster, name, atoi(partitions), atoi(replication)));
  } else if (strcmp(verb, "errors") == 0) {
    char *api_key = strtok(NULL, " \t\r\n");
    rd_kafka_resp_err_t codes[MAX_ERRORS];
    size_t count = 0;
    char *code;
    if (!api_key) { printf("error usage: errors APIKEY CODE...\n"); fflush(stdout); return; }
    while ((code = strtok(NULL, " \t\r\n")) != NULL && count < MAX_ERRORS) codes[count++] = (rd_kafka_resp_err_t)atoi(code);
    rd_kafka_mock_push_request_errors_array(cluster, (int16_t)atoi(api_key), count, codes);
    reply(RD_KAFKA_RESP_ERR_NO_ERROR);
  } else if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) {
    char *broker = strtok(NULL, " \t\r\n");
    if (!broker) { printf("error usage: %s BROKER\n", verb); fflush(stdout); return; }
    reply(strcmp(verb, "down") == 0 ? rd_kafka_mock_broker_set_down(cluster, atoi(broker))
                                    : rd_kafka_mock_broker_set_up(cluster, atoi(broker)));
  } else if (strcmp(verb, "rtt") == 0) {
    char *broker = strtok(NULL, " \t\r\n");
    char *ms = strtok(NULL, " \t\r\n");
    if (!broker || !ms) { printf("error usage: rtt BROKER MS\n"); fflush(stdout); return; }
    reply(rd_kafka_mock_broker_set_rtt(cluster, atoi(broker), atoi(ms)));
  } else if (strcmp(verb, "coordinator") == 0) {
    char *type = strtok(NULL, " \t\r\n");
    char *key = strtok(NULL, " \t\r\n");
    char *broker = strtok(NULL, " \t\r\n");
    if (!type || !key || !broker) { printf("error usage: coordinator group|txn KEY BROKER\n"); fflush(stdout); return; }
    reply(rd_kafka_mock_coordinator_set(cluster, type, key, atoi(broker)));
  } else if (strcmp(verb, "leader") == 0) {
    char *topic = strtok(NULL, " \t\r\n");
    char *partition = strtok(NULL, " \t\r\n");
    char *broker = strtok(NULL, " \t\r\n");
    if (!topic || !partition || !broker) { printf("error usage: leader TOPIC PARTITION BROKER\n"); fflush(stdout); return; }
    reply(rd_kafka_mock_partition_set_leader(cluster, topic, atoi(partition), atoi(broker)));
  } else {
    printf("error unknown command %s\n", verb);
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  char errstr[512];
  char line[4096];
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Quiet: this handle never connects, so its "no bootstrap.servers" warning is noise. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  /* The mock needs an rd_kafka_t for its bookkeeping; this producer never sends anything. */
  rd_kafka_t *handle_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  rd_kafka_mock_cluster_t *cluster;
  if (handle_rk == NULL) { fprintf(stderr, "mock-cluster: %s\n", errstr); return 1; }
  cluster = rd_kafka_mock_cluster_new(handle_rk, brokers < 1 ? 1 : brokers);
  if (cluster == NULL) { fprintf(stderr, "mock-cluster: could not start the mock cluster\n"); return 1; }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  while (fgets(line, sizeof(line), stdin) != NULL) {
    if (strncmp(line, "quit", 4) == 0) break;
    handle(cluster, line);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle_rk);
  return 0;
}
