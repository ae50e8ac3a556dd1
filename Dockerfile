FROM python:3.11-slim
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY bot bot
COPY dialogs dialogs
COPY rules rules
RUN uv sync --frozen --no-dev
ENV LOSSLINE_DATA_DIR=/data LOSSLINE_HOST=0.0.0.0
EXPOSE 8000
CMD ["uv", "run", "--no-dev", "lossline", "serve"]
