# local/dotnet-sdk:10.0 for tests/deploy.sh where no registry is reachable: Debian bookworm, the libraries .NET needs,
# and this machine's own /usr/share/dotnet (the build context is that directory, streamed by tests/deploy.sh).
ARG BASE_IMAGE=local/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates libc6 libgcc-s1 libgssapi-krb5-2 libicu72 libssl3 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/*
# The certificate authorities the host trusts beyond Debian's (tests/deploy.sh copies them; possibly none), so that
# NuGet reaches the package source the way the host does.
COPY extra-ca/ /usr/local/share/ca-certificates/host/
RUN update-ca-certificates >/dev/null
COPY dotnet LICENSE.txt ThirdPartyNotices.txt /usr/share/dotnet/
COPY host /usr/share/dotnet/host/
COPY shared /usr/share/dotnet/shared/
COPY packs /usr/share/dotnet/packs/
COPY sdk /usr/share/dotnet/sdk/
COPY sdk-manifests /usr/share/dotnet/sdk-manifests/
COPY templates /usr/share/dotnet/templates/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
