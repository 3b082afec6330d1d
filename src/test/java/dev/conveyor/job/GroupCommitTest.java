package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Group commit against a real PostgreSQL: many callers, shared commits, a failing caller fails alone. */
class GroupCommitTest {

    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private DataSourceTransactionManager transactions;
    private GroupCommit commits;
    private String schema;

    @BeforeEach
    void setUp() {
        schema = "gc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(TestDatabase.url());
        dataSource.setUsername(TestDatabase.user());
        dataSource.setPassword(TestDatabase.password());
        dataSource.setMaximumPoolSize(8);
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE SCHEMA " + schema);
        jdbc.execute("CREATE TABLE " + schema + ".t (k int PRIMARY KEY, txid bigint NOT NULL)");
        transactions = new DataSourceTransactionManager(dataSource);
        commits = new GroupCommit(transactions, 32, 2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        commits.destroy();
        jdbc.execute("DROP SCHEMA " + schema + " CASCADE");
        dataSource.close();
    }

    private Integer insert(int key) {
        return commits.execute(status -> jdbc.update("INSERT INTO " + schema + ".t VALUES (?, txid_current())", key));
    }

    @Test
    void everyCallerGetsItsResultAfterItsWorkIsCommittedAndConcurrentWorkSharesCommits() throws Exception {
        int callers = 16;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        JdbcTemplate other = new JdbcTemplate(dataSource);
        for (int c = 0; c < callers; c++) {
            int caller = c;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    int key = caller * 1000 + i;
                    assertThat(insert(key)).isEqualTo(1);
                    // committed by the time execute returns: another connection sees it
                    assertThat(other.queryForObject("SELECT count(*) FROM " + schema + ".t WHERE k = ?",
                            Integer.class, key)).isEqualTo(1);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + schema + ".t", Integer.class))
                .isEqualTo(callers * each);
        // fewer transactions than works: some commits were shared
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT txid) FROM " + schema + ".t", Integer.class))
                .isLessThan(callers * each);
    }

    @Test
    void aFailingWorkFailsAloneAndTheRestOfItsBatchIsKept() throws Exception {
        insert(1);
        int callers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            // caller 0 repeats key 1, a primary key violation; the others insert new keys
            int key = c == 0 ? 1 : 100 + c;
            futures.add(pool.submit(() -> {
                start.await();
                return insert(key);
            }));
        }
        start.countDown();
        assertThatThrownBy(() -> futures.get(0).get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DataIntegrityViolationException.class);
        for (int c = 1; c < callers; c++) {
            assertThat(futures.get(c).get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
        pool.shutdown();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + schema + ".t", Integer.class))
                .isEqualTo(callers);
    }

    @Test
    void aWorkMarkingItsTransactionRollbackOnlyKeepsNothingOfItsOwnAndSparesTheOthers() throws Exception {
        int callers = 10;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int key = c;
            futures.add(pool.submit(() -> {
                start.await();
                return commits.execute(status -> {
                    jdbc.update("INSERT INTO " + schema + ".t VALUES (?, txid_current())", key);
                    if (key == 3) {
                        status.setRollbackOnly();
                    }
                    return null;
                });
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(jdbc.queryForList("SELECT k FROM " + schema + ".t ORDER BY k", Integer.class))
                .containsExactly(0, 1, 2, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void afterCommitCallbacksRunOnlyForCommittedWork() throws Exception {
        insert(1);
        Set<Integer> announced = ConcurrentHashMap.newKeySet();
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int key = c == 0 ? 1 : 10 + c;
            futures.add(pool.submit(() -> {
                start.await();
                try {
                    commits.execute(status -> {
                        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                            @Override
                            public void afterCommit() {
                                announced.add(key);
                            }
                        });
                        return jdbc.update("INSERT INTO " + schema + ".t VALUES (?, txid_current())", key);
                    });
                } catch (DataIntegrityViolationException expected) {
                    // key 1 exists
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(announced).containsExactlyInAnyOrder(11, 12, 13, 14, 15, 16, 17);
    }

    @Test
    void workCalledInsideAnOpenTransactionJoinsIt() {
        TransactionTemplate outer = new TransactionTemplate(transactions);
        assertThatThrownBy(() -> outer.execute(status -> {
            insert(7);
            throw new IllegalStateException("the outer transaction fails after the inner work");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + schema + ".t", Integer.class)).isZero();
    }

    @Test
    void turnedOffEachWorkCommitsOnItsCallersThread() throws InterruptedException {
        GroupCommit off = new GroupCommit(transactions, 1, 2);
        String caller = Thread.currentThread().getName();
        String ranOn = off.execute(status -> Thread.currentThread().getName());
        assertThat(ranOn).isEqualTo(caller);
        off.destroy();
    }
}
