"""`lossline agent add NAME`: create a hotline agent for the console (prompts for a password)."""

from __future__ import annotations

import typer

agent_app = typer.Typer(help="坐席账号（控制台 /console 的登录）。", no_args_is_help=True)


@agent_app.command("add")
def add(name: str = typer.Argument(..., help="账号名：字母、数字、汉字、- _ .")) -> None:
    """创建坐席账号；密码会提示输入两次，只保存其 argon2 哈希。"""
    import asyncio

    from bot.console.agents import add_agent, valid_name
    from bot.console.passwords import weak
    from bot.settings import Settings

    if not valid_name(name):
        typer.echo("账号名只能包含字母、数字、汉字和 - _ .（最多 64 个字符）。", err=True)
        raise typer.Exit(2)
    password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    problem = weak(password)
    if problem:
        typer.echo(f"密码太弱：{problem}。", err=True)
        raise typer.Exit(2)
    if not asyncio.run(add_agent(Settings(), name, password)):
        typer.echo(f"坐席 {name} 已存在。", err=True)
        raise typer.Exit(1)
    typer.echo(f"已创建坐席 {name}。")


def register(app: typer.Typer) -> None:
    app.add_typer(agent_app, name="agent")
