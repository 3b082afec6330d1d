package dev.conveyor.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batcher's contract, with a flush that records the sets it is given (pure logic: no database). */
class WriteBatcherTest {

    final List<List<Integer>> flushed = Collections.synchronizedList(new ArrayList<>());
    final ExecutorService callers = Executors.newFixedThreadPool(16);
    WriteBatcher<Integer, String> batcher;

    @AfterEach
    void stop() throws InterruptedException {
        callers.shutdownNow();
        if (batcher != null) {
            batcher.close();
        }
    }

    @Test
    void eachCallerGetsTheAnswerToItsOwnItem() throws Exception {
        batcher = new WriteBatcher<>("test", 50, Duration.ofMillis(2), 1, this::answer, failure -> true);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int item = i;
            answers.add(callers.submit(() -> batcher.write(item)));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("done " + i);
        }
        assertThat(flushed.stream().mapToInt(List::size).sum()).isEqualTo(200);
        assertThat(flushed).allSatisfy(set -> assertThat(set.size()).isBetween(1, 50));
    }

    @Test
    void itemsWaitingTogetherAreFlushedAsOneSet() throws Exception {
        CountDownLatch firstFlushStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstFlush = new CountDownLatch(1);
        batcher = new WriteBatcher<>("test", 100, Duration.ZERO, 1, items -> {
            if (items.contains(-1)) {
                firstFlushStarted.countDown();
                await(releaseFirstFlush);
            }
            return answer(items);
        }, failure -> true);
        // the one writer is held in a first flush while ten more items queue up behind it
        Future<String> first = callers.submit(() -> batcher.write(-1));
        assertThat(firstFlushStarted.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int item = i;
            queued.add(callers.submit(() -> batcher.write(item)));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> queued.stream().noneMatch(Future::isDone) && waitingCount() == 10);
        releaseFirstFlush.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("done -1");
        for (Future<String> answer : queued) {
            answer.get(10, TimeUnit.SECONDS);
        }
        assertThat(flushed).hasSize(2);
        assertThat(flushed.get(1)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void theObserverSeesEverySetWithItsSizeAndFlushTimeAndEveryCallersWait() throws Exception {
        CountDownLatch firstFlushStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstFlush = new CountDownLatch(1);
        List<Integer> setSizes = Collections.synchronizedList(new ArrayList<>());
        List<Long> setNanos = Collections.synchronizedList(new ArrayList<>());
        List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        WriteBatcher.Observer observer = new WriteBatcher.Observer() {
            @Override
            public void setWritten(int items, long nanos) {
                setSizes.add(items);
                setNanos.add(nanos);
            }

            @Override
            public void waited(long nanos) {
                waits.add(nanos);
            }
        };
        batcher = new WriteBatcher<>("test", 100, Duration.ZERO, 1, items -> {
            if (items.contains(-1)) {
                firstFlushStarted.countDown();
                await(releaseFirstFlush);
            }
            return answer(items);
        }, failure -> true, observer);
        // a first set is held in its flush while ten callers hand in one item each behind it
        Future<String> first = callers.submit(() -> batcher.write(-1));
        assertThat(firstFlushStarted.await(10, TimeUnit.SECONDS)).isTrue();
        long heldFrom = System.nanoTime();
        List<Future<String>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int item = i;
            queued.add(callers.submit(() -> batcher.write(item)));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waitingCount() == 10);
        long held = System.nanoTime() - heldFrom;
        releaseFirstFlush.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (Future<String> answer : queued) {
            answer.get(10, TimeUnit.SECONDS);
        }

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> setSizes.size() == 2);
        assertThat(setSizes).containsExactly(1, 10);
        // the first flush lasted at least as long as the test held it
        assertThat(setNanos.get(0)).isGreaterThanOrEqualTo(held);
        // one wait per hand-in (11), and the first caller's includes the hold
        assertThat(waits).hasSize(11).allSatisfy(wait -> assertThat(wait).isPositive());
        assertThat(waits).anySatisfy(wait -> assertThat(wait).isGreaterThanOrEqualTo(held));
    }

    @Test
    void aBadItemFailsAloneAndTheOthersOfItsSetAreWritten() throws Exception {
        batcher = new WriteBatcher<>("test", 100, Duration.ofMillis(20), 1, items -> {
            if (items.contains(13)) {
                throw new IllegalArgumentException("13 is refused");
            }
            return answer(items);
        }, failure -> true);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int item = i;
            answers.add(callers.submit(() -> batcher.write(item)));
        }
        for (int i = 0; i < 32; i++) {
            Future<String> answer = answers.get(i);
            if (i == 13) {
                assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("13 is refused");
            } else {
                assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("done " + i);
            }
        }
        // every good item was written exactly once, whatever sets the halving made
        List<Integer> written = flushed.stream().flatMap(List::stream).sorted().toList();
        assertThat(written).doesNotContain(13).doesNotHaveDuplicates().hasSize(31);
    }

    @Test
    void aFailureThatIsNoItemsFaultFailsTheWholeSetWithoutSplittingIt() throws Exception {
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstFlushStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstFlush = new CountDownLatch(1);
        batcher = new WriteBatcher<>("test", 100, Duration.ZERO, 1, items -> {
            attempts.add(items.size());
            if (items.contains(-1)) {
                firstFlushStarted.countDown();
                await(releaseFirstFlush);
                return answer(items);
            }
            throw new DataAccessResourceFailureException("connection refused");
        }, failure -> !(failure instanceof DataAccessResourceFailureException));
        Future<String> first = callers.submit(() -> batcher.write(-1));
        assertThat(firstFlushStarted.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> queued = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int item = i;
            queued.add(callers.submit(() -> batcher.write(item)));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waitingCount() == 8);
        releaseFirstFlush.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (Future<String> answer : queued) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(DataAccessResourceFailureException.class);
        }
        assertThat(attempts).containsExactly(1, 8);
    }

    @Test
    void afterCloseAnItemIsWrittenOnItsCallersThread() throws Exception {
        batcher = new WriteBatcher<>("test", 10, Duration.ZERO, 1, this::answer, failure -> true);
        batcher.close();
        assertThat(batcher.write(7)).isEqualTo("done 7");
        assertThat(flushed).containsExactly(List.of(7));
    }

    private List<String> answer(List<Integer> items) {
        flushed.add(List.copyOf(items));
        return items.stream().map(i -> "done " + i).toList();
    }

    private int waitingCount() {
        return batcher.waitingCount();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
