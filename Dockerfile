# syntax=docker/dockerfile:1
# GradApi container image (see docs/container.md).
#
#   docker build -t gradapi .           # official .NET 10 images
#   docker compose up --build           # the same, with docker-compose.yml
#
# SDK_IMAGE / RUNTIME_IMAGE swap in other base images (tests/container/smoke.sh
# uses local ones). NUGET_SOURCE restores from package folders that the build
# can see instead of the configured feeds (space-separated), e.g.
#   podman build -v ~/.nuget/packages:/nuget:ro --build-arg NUGET_SOURCE=/nuget .
# The build context has no .git: SOURCE_REVISION hands it the commit, which the
# app reports (GET /version, the GradApi-Version header, its first log line)
# and the image's labels carry; APP_VERSION is the project's version
# (VersionPrefix in Directory.Build.props, which a test keeps equal to it):
#   docker build --build-arg SOURCE_REVISION=$(git rev-parse HEAD) -t gradapi .
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG APP_VERSION=1.0.0
ARG SOURCE_REVISION=

FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
WORKDIR /source

# Restore as a distinct layer: only the files that decide the restore, so that
# a source-only change reuses it.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/GradApi.Engine/GradApi.Engine.csproj src/GradApi.Engine/
COPY src/GradApi/GradApi.csproj src/GradApi/
ARG NUGET_SOURCE=
RUN set -eu; \
    set -- ; \
    for s in $NUGET_SOURCE; do set -- "$@" --source "$s"; done; \
    if [ -n "$NUGET_SOURCE" ]; then set -- "$@" -p:NuGetAudit=false; fi; \
    dotnet restore src/GradApi/GradApi.csproj "$@"

# Build and publish the app: portable IL, run with `dotnet GradApi.dll`.
COPY src/ src/
ARG APP_VERSION
ARG SOURCE_REVISION
RUN dotnet publish src/GradApi/GradApi.csproj -c Release --no-restore \
        -o /app -p:UseAppHost=false -p:Version="$APP_VERSION" \
        ${SOURCE_REVISION:+-p:SourceRevisionId="$SOURCE_REVISION"}

# Runtime: ASP.NET Core only, non-root, nothing written outside /tmp.
FROM ${RUNTIME_IMAGE} AS final
ARG APP_VERSION
ARG SOURCE_REVISION
LABEL org.opencontainers.image.title="GradApi" \
      org.opencontainers.image.description="Reverse-mode automatic differentiation as a web service" \
      org.opencontainers.image.version="$APP_VERSION" \
      org.opencontainers.image.revision="$SOURCE_REVISION"
ENV ASPNETCORE_HTTP_PORTS=8080
# Logs as one JSON object per line (Logging:Console:FormatterName=simple for plain text).
ENV Logging__Console__FormatterName=json
EXPOSE 8080
WORKDIR /app
COPY --from=build /app .
USER ${APP_UID:-1654}
# The aspnet image has no curl or wget: the app probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["dotnet", "/app/GradApi.dll", "--probe", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["dotnet", "GradApi.dll"]
