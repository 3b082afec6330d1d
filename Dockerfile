# Conveyor's image: built from the sources with the Maven wrapper, run on a JRE.
# docker compose builds it (see docker-compose.yml); alone: docker build -t conveyor .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
# the service reads application.yaml, routes/ and schemas/ from its working directory
COPY application.yaml ./
COPY routes routes
COPY schemas schemas
COPY --from=build /src/target/conveyor.jar conveyor.jar
ENV LC_ALL=C.UTF-8 \
    DATA_DIR=/app/data \
    INBOX_DIR=/app/inbox
VOLUME ["/app/data", "/app/inbox"]
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "conveyor.jar"]
