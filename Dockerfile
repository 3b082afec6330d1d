# Conveyor's image: built from the sources with the Maven wrapper, run on a JRE. It ships the production jar
# (target/conveyor-production.jar: no embedded PostgreSQL or ElasticMQ), so it needs DB_URL (docker-compose.yml
# sets it). docker compose builds it (see docker-compose.yml); alone: docker build -t conveyor .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
# application.yaml, routes/ and schemas/ are packaged into the jar with the classes
COPY application.yaml ./
COPY routes routes
COPY schemas schemas
COPY src src
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# The service runs as an unprivileged user with a fixed uid/gid (10001), so a flaw in it is not root in the
# container, and a host folder bind-mounted as the inbox can be given to that uid (chown 10001:10001 inbox).
# It owns only what it writes: the data and inbox folders; its jar (with its configuration, routes and schemas)
# stays root's.
RUN groupadd --system --gid 10001 conveyor \
    && useradd --system --uid 10001 --gid conveyor --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin conveyor \
    && mkdir -p /app/data /app/inbox \
    && chown conveyor:conveyor /app/data /app/inbox
WORKDIR /app
# the jar carries application.yaml, routes/ and schemas/; mount others and point ROUTES_DIR (file:/app/routes) or
# SCHEMAS_DIR at them to replace them, or put an application.yaml in /app to override settings
COPY --from=build /src/target/conveyor-production.jar conveyor.jar
ENV LC_ALL=C.UTF-8 \
    DATA_DIR=/app/data \
    INBOX_DIR=/app/inbox
VOLUME ["/app/data", "/app/inbox"]
EXPOSE 8080
USER conveyor:conveyor
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "conveyor.jar"]
