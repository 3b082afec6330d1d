package dev.conveyor.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.conveyor.config.QueueProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

/**
 * Deletes the SQS messages of finished jobs in DeleteMessageBatch requests of up to 10, off the workers' threads: a
 * worker only queues its message's receipt handle ({@link #delete}) and goes on to its next job. A sender thread
 * takes what has queued, waits up to {@code conveyor.queue.sqs.delete-linger-ms} for a request to fill, and sends.
 *
 * <p>Nothing here can lose a job: a deletion is only queued after the job is done (or handed back to the table),
 * and a deletion that never happens — the process dies first, or SQS refuses it — lets the message reappear after
 * its visibility timeout, when the claim finds the job finished and the message is deleted then. At a clean stop
 * (after the worker routes have drained) every queued deletion is sent before the SQS client closes.
 */
public class SqsDeletes implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SqsDeletes.class);
    private static final Pending STOP = new Pending(null, null);

    private record Pending(String queueName, String receiptHandle) {
    }

    private final SqsClient sqs;
    private final long lingerNanos;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();
    private final ExecutorService senders;
    private final int senderCount;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopping;

    public SqsDeletes(SqsClient sqs, QueueProperties.Sqs settings) {
        this.sqs = sqs;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, settings.deleteLingerMs()));
        this.senderCount = settings.deleteSenders();
        AtomicInteger number = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(senderCount, task -> {
            Thread thread = new Thread(task, "sqs-deletes-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < senderCount; i++) {
            senders.execute(this::sendLoop);
        }
    }

    /** Queues the deletion of a message (of the queue named, a lane's) whose job is done; returns at once. */
    public void delete(String queueName, String receiptHandle) {
        if (stopping) {
            // the senders are gone: delete now rather than let the message come back
            send(queueName, List.of(receiptHandle));
            return;
        }
        pending.add(new Pending(queueName, receiptHandle));
    }

    /** Deletions queued and not yet sent. */
    public int pending() {
        return pending.size();
    }

    /** DeleteMessageBatch requests sent, messages deleted, and entries SQS refused (or requests that failed). */
    public long[] counters() {
        return new long[] {requests.get(), deleted.get(), failed.get()};
    }

    private void sendLoop() {
        List<Pending> taken = new ArrayList<>(QueueProperties.Sqs.MAX_BATCH);
        try {
            while (true) {
                taken.clear();
                Pending first = pending.take();
                if (first == STOP) {
                    return;
                }
                taken.add(first);
                long deadline = System.nanoTime() + lingerNanos;
                while (taken.size() < QueueProperties.Sqs.MAX_BATCH) {
                    long wait = deadline - System.nanoTime();
                    Pending next = wait > 0 ? pending.poll(wait, TimeUnit.NANOSECONDS) : pending.poll();
                    if (next == null) {
                        break;
                    }
                    if (next == STOP) {
                        sendAll(taken);
                        return;
                    }
                    taken.add(next);
                }
                sendAll(taken);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request per queue among the taken deletions (a lane's messages are on its own queue). */
    private void sendAll(List<Pending> taken) {
        Map<String, List<String>> byQueue = new LinkedHashMap<>();
        for (Pending p : taken) {
            byQueue.computeIfAbsent(p.queueName(), name -> new ArrayList<>()).add(p.receiptHandle());
        }
        byQueue.forEach((queueName, handles) -> {
            for (int from = 0; from < handles.size(); from += QueueProperties.Sqs.MAX_BATCH) {
                send(queueName, handles.subList(from, Math.min(handles.size(), from + QueueProperties.Sqs.MAX_BATCH)));
            }
        });
    }

    private void send(String queueName, List<String> receiptHandles) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(receiptHandles.size());
        for (int i = 0; i < receiptHandles.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(receiptHandles.get(i)).build());
        }
        try {
            String queueUrl = queueUrls.computeIfAbsent(queueName,
                    name -> sqs.getQueueUrl(b -> b.queueName(name)).queueUrl());
            requests.incrementAndGet();
            DeleteMessageBatchResponse response = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            deleted.addAndGet(response.successful().size());
            if (response.hasFailed() && !response.failed().isEmpty()) {
                failed.addAndGet(response.failed().size());
                var first = response.failed().get(0);
                log.warn("SQS did not delete {} of {} finished jobs' messages ({}: {}); they will be delivered again "
                        + "after their visibility timeout and dropped then", response.failed().size(), entries.size(),
                        first.code(), first.message());
            }
        } catch (SdkException e) {
            failed.addAndGet(entries.size());
            log.warn("deleting {} finished jobs' messages from SQS failed ({}); they will be delivered again after "
                    + "their visibility timeout and dropped then", entries.size(), e.toString());
        }
    }

    /** At a clean stop: sends what is queued, then lets the senders end. */
    @Override
    public void destroy() throws InterruptedException {
        stopping = true;
        for (int i = 0; i < senderCount; i++) {
            pending.add(STOP);
        }
        senders.shutdown();
        if (!senders.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("{} SQS deletions were still queued at shutdown; those messages will be delivered again and "
                    + "dropped", pending.size());
            senders.shutdownNow();
            return;
        }
        // a deletion queued while the stop began, behind the senders' stop markers
        List<Pending> late = new ArrayList<>();
        pending.drainTo(late);
        late.removeIf(p -> p == STOP);
        sendAll(late);
        log.info("SQS: {} finished jobs' messages deleted in {} DeleteMessageBatch requests ({} not deleted)",
                deleted.get(), requests.get(), failed.get());
    }
}
