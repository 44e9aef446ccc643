# DocStore in a container: IMAP 143, IMAPS 993, HTTP 8080, the console over HTTPS 8443. The compose file runs it against
# its own PostgreSQL; run alone (no ConnectionStrings__DocStore) it starts the embedded one.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# ReadyToRun: a restarted server answers its first commands without compiling them first.
RUN dotnet publish src/DocStore.Host -c Release --use-current-runtime -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV DOCSTORE__DataDirectory=/data \
    DOCSTORE__Imap__BindAddress=0.0.0.0 \
    DOCSTORE__Imap__Port=143 \
    DOCSTORE__Imap__TlsPort=993 \
    DOCSTORE__Imap__AllowInsecureAuthOnLoopback=false \
    DOCSTORE__Http__BindAddress=0.0.0.0 \
    DOCSTORE__Http__Port=8080 \
    DOCSTORE__Http__TlsPort=8443
VOLUME /data
EXPOSE 143 993 8080 8443
HEALTHCHECK --interval=30s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT ["dotnet", "docstore.dll"]
CMD ["serve"]
