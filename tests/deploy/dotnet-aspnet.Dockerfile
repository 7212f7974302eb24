# local/dotnet-aspnet:10.0 for tests/deploy.sh where no registry is reachable: Debian bookworm, the libraries .NET
# needs, and the runtime parts only of this machine's /usr/share/dotnet (host, shared frameworks), like
# mcr.microsoft.com/dotnet/aspnet:10.0.
ARG BASE_IMAGE=local/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates libc6 libgcc-s1 libgssapi-krb5-2 libicu72 libssl3 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY dotnet LICENSE.txt ThirdPartyNotices.txt /usr/share/dotnet/
COPY host /usr/share/dotnet/host/
COPY shared /usr/share/dotnet/shared/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet ASPNETCORE_HTTP_PORTS=8080
