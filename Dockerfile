# The pelican binary in an empty image. `make image` builds the static binary into dist/ first:
#   CGO_ENABLED=0 go build -trimpath -o dist/pelican ./cmd/pelican
# and then builds this file with dist/ as the context, so no image is pulled.
FROM scratch
COPY pelican /pelican
ENV PELICAN_ADDR=0.0.0.0:4567
EXPOSE 4567
VOLUME ["/data"]
HEALTHCHECK --interval=2s --timeout=2s --retries=15 CMD ["/pelican", "health", "--url", "http://127.0.0.1:4567/health"]
ENTRYPOINT ["/pelican"]
CMD ["emulator"]
