# syntax=docker/dockerfile:1
# Build: docker build -t samspil .
# Run:   docker run -p 8080:8080 -v samspil-data:/data samspil

# Pin both images by digest where you build (docker buildx imagetools
# inspect golang:1.26 shows it): the development machines cannot reach a
# registry to look the digests up, and a made-up digest would not build.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The embedded store's SQLite is pure Go, so the binary links statically.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/samspil . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/samspil /samspil
COPY --from=build --chown=65532:65532 /out/data /data
ENV SAMSPIL_ADDR=:8080 \
    SAMSPIL_METRICS_ADDR=:9464 \
    SAMSPIL_DATA=/data
VOLUME /data
EXPOSE 8080
USER 65532:65532
# The image has no shell or curl; the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/samspil", "healthcheck"]
ENTRYPOINT ["/samspil"]
CMD ["serve"]
